package store

/*
int sqlite3_config(int, ...);
long long sqlite3_memory_used(void);

// SQLITE_CONFIG_MEMSTATUS is 9 in sqlite3.h; sqlite3_config is variadic, which Go cannot call.
static int allium_sqlite_memstatus_off(void) { return sqlite3_config(9, 0); }
*/
import "C"

// SQLite counts every allocation it makes under one process-wide mutex unless told not to
// (SQLITE_CONFIG_MEMSTATUS), so readers working on different threads queue for that mutex on
// every malloc and free. Under 64 connections the plan page cost the server 2,397 µs of CPU a
// request with the counts kept and 1,511 to 1,872 µs without, its rate 538-553/s against
// 678-840/s (docs/performance.md). Nothing in Allium reads the counts. SQLite takes this
// setting only before its first connection opens, which is why it is made as the package loads.
func init() { C.allium_sqlite_memstatus_off() }

// sqliteMemoryCounted is what SQLite has counted of its memory in use: 0 while it keeps no counts.
func sqliteMemoryCounted() int64 { return int64(C.sqlite3_memory_used()) }
