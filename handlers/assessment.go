package handlers

// assessmentRoutes are the free online movement assessment's pages.
func (a *App) assessmentRoutes() []Route {
	return []Route{}
}
