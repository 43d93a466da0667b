package handlers

// bookingRoutes are the client's booking and manage pages.
func (a *App) bookingRoutes() []Route {
	return []Route{}
}
