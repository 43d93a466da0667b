package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"allium/clinic"
)

// Settings returns the clinic's settings, defaults filled in for any not yet saved.
func (s *Store) Settings(ctx context.Context) (clinic.Settings, error) {
	set, err := s.settingsIn(ctx, s.r)
	if err != nil {
		return set, fmt.Errorf("settings: %w", err)
	}
	return set, nil
}

func minutes(v string) time.Duration {
	n, _ := strconv.Atoi(v)
	return time.Duration(n) * time.Minute
}

func applySetting(set *clinic.Settings, k, v string) {
	switch k {
	case "name":
		set.Name = v
	case "address":
		set.Address = v
	case "phone":
		set.Phone = v
	case "email":
		set.Email = v
	case "time_zone":
		set.TimeZone = v
	case "business_number":
		set.BusinessNumber = v
	case "cancel_terms":
		set.CancelTerms = v
	case "currency":
		set.Currency = clinic.Currency(v)
	case "gst_registered":
		set.GSTRegistered = v == "1"
	case "late_cancel_fee":
		set.LateCancelFee, _ = clinic.ParseFee(v)
	case "no_show_fee":
		set.NoShowFee, _ = clinic.ParseFee(v)
	case "cancel_window_min":
		set.CancelWindow = minutes(v)
	case "min_notice_min":
		set.MinNotice = minutes(v)
	case "horizon_min":
		set.Horizon = minutes(v)
	case "reminder_leads_min":
		set.ReminderLeads = nil
		for _, f := range strings.Fields(v) {
			set.ReminderLeads = append(set.ReminderLeads, minutes(f))
		}
	case "staff_idle_min":
		set.StaffIdle = minutes(v)
	case "staff_absolute_min":
		set.StaffAbsolute = minutes(v)
	case "client_idle_min":
		set.ClientIdle = minutes(v)
	case "maintenance_after_min":
		set.MaintenanceAfter = minutes(v)
	case "retention_years":
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			set.RetentionYears = n
		}
	case "release_notes":
		set.ReleaseNotes = v == "1"
	case "booking_hold_min":
		set.BookingHold = minutes(v)
	case "staff_two_factor":
		set.StaffTwoFactor = v == "1"
	case "check_in_lead_min":
		set.CheckInLead = minutes(v)
	}
}

func settingRows(set clinic.Settings) map[string]string {
	m := func(d time.Duration) string { return strconv.Itoa(int(d / time.Minute)) }
	leads := make([]string, len(set.ReminderLeads))
	for i, d := range set.ReminderLeads {
		leads[i] = m(d)
	}
	return map[string]string{
		"name": set.Name, "address": set.Address, "phone": set.Phone, "email": set.Email,
		"time_zone": set.TimeZone, "business_number": set.BusinessNumber, "cancel_terms": set.CancelTerms,
		"currency": string(set.Currency), "gst_registered": boolSetting(set.GSTRegistered),
		"late_cancel_fee": set.LateCancelFee.String(), "no_show_fee": set.NoShowFee.String(),
		"cancel_window_min": m(set.CancelWindow), "min_notice_min": m(set.MinNotice),
		"horizon_min": m(set.Horizon), "reminder_leads_min": strings.Join(leads, " "),
		"staff_idle_min": m(set.StaffIdle), "staff_absolute_min": m(set.StaffAbsolute),
		"client_idle_min": m(set.ClientIdle), "maintenance_after_min": m(set.MaintenanceAfter),
		"retention_years":  strconv.Itoa(set.RetentionYears),
		"release_notes":    map[bool]string{true: "1", false: "0"}[set.ReleaseNotes],
		"booking_hold_min": m(set.BookingHold), "staff_two_factor": map[bool]string{true: "1", false: "0"}[set.StaffTwoFactor],
		"check_in_lead_min": m(set.CheckInLead),
	}
}

func boolSetting(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// SaveSettings replaces the clinic's settings. Only the owner may.
func (s *Store) SaveSettings(ctx context.Context, by Actor, set clinic.Settings) error {
	if by.Role != clinic.RoleOwner && by.Role != System.Role {
		return ErrForbidden
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for k, v := range settingRows(set) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return err
			}
		}
		// The reports' days are the clinic's: another zone recounts them, in this transaction.
		if err := syncReportZone(ctx, tx, loc); err != nil {
			return err
		}
		return audit(ctx, tx, by, unix(s.now()), "update", "settings", 0, 0, "")
	})
}

// AppKey returns the named server secret, making and keeping n random bytes on first use.
func (s *Store) AppKey(ctx context.Context, name string, n int) ([]byte, error) {
	var key []byte
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM app_keys WHERE name = ?`, name).Scan(&key)
		if err != sql.ErrNoRows {
			return err
		}
		key = randomBytes(n)
		_, err = tx.ExecContext(ctx, `INSERT INTO app_keys (name, value) VALUES (?, ?)`, name, key)
		return err
	})
	return key, err
}
