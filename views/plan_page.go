package views

import (
	"html/template"

	"allium/clinic"
)

// The plan page's lists (goals, the courses to link, reassessments, history) are written by
// hand like the chart's: through the template, a page of one plan was some hundred actions,
// each an escaper called by reflection, and rendering it cost more than reading the plan.

// GoalFigures are the plan's goals, each with its latest score judged and its progress chart.
func (p PlanPage) GoalFigures() template.HTML {
	w := newHTMLWriter(3000 * len(p.Card.Goals))
	for _, g := range p.Card.Goals {
		w.m("\n" + `  <figure class="card">` + "\n" + `    <figcaption><strong><bdi>`)
		w.text(g.Goal.Description)
		w.m(`</bdi></strong><br>` + "\n      ")
		w.text(g.Goal.Measure.Label())
		if g.Goal.Activity != "" {
			w.m(` · <bdi>`)
			w.text(g.Goal.Activity)
			w.m(`</bdi>`)
		}
		if w.goalScores(g) {
			switch g.Verdict {
			case clinic.ChangeImproved:
				w.m(` · meaningfully better`)
			case clinic.ChangeWorse:
				w.m(` · worse`)
			default:
				w.m(` · no meaningful change yet`)
			}
			if g.Met {
				w.m(` · target reached`)
			}
		}
		w.m(`</figcaption>` + "\n    ")
		w.progressChart(g.Goal)
		w.m("\n" + `  </figure>`)
	}
	return w.html()
}

// CourseOptions are the client's courses not linked to a plan, as options to link this one.
func (p PlanPage) CourseOptions() template.HTML {
	w, d := newHTMLWriter(96*len(p.Courses)), p.Page.dates()
	for _, c := range p.Courses {
		w.m(`<option value="`)
		w.int(c.ID)
		w.m(`">`)
		w.text(c.Service)
		w.m(`, `)
		w.int(int64(c.Sessions))
		w.m(` sessions from `)
		w.text(d.DayOf(c.FirstStart))
		w.m(`</option>`)
	}
	return w.html()
}

// ReassessmentCards are the plan's reassessments: the decision, who made it, how the plan
// moved, each goal's score against its baseline and the reasons given.
func (p PlanPage) ReassessmentCards() template.HTML {
	rs := p.Card.Plan.Reassessments
	w, d := newHTMLWriter(600*len(rs)), p.Page.dates()
	for _, r := range rs {
		w.m(`<section class="card">` + "\n" + `  <h3>`)
		w.text(d.DayOf(r.At))
		w.m(`: `)
		w.text(p.Decisions[r.Decision])
		w.m(`</h3>` + "\n" + `  <p class="muted">By `)
		w.text(r.Therapist)
		w.m(`; the plan went from `)
		w.text(r.From.Label())
		w.m(` to `)
		w.text(r.To.Label())
		w.m(`.`)
		if !r.NextReassessment.IsZero() {
			w.m(` Next review `)
			w.text(d.Day(r.NextReassessment))
			w.m(`.`)
		}
		if !r.MaintenanceDue.IsZero() {
			w.m(` Maintenance due `)
			w.text(d.Day(r.MaintenanceDue))
			w.m(`.`)
		}
		w.m(`</p>` + "\n" + `  <ul>`)
		for _, g := range r.Goals {
			w.m(`<li>Start `)
			w.num(g.Baseline)
			w.m(`, now `)
			w.num(g.Current)
			w.m(`: `)
			switch g.Verdict {
			case clinic.ChangeImproved:
				w.m(`meaningfully better`)
			case clinic.ChangeWorse:
				w.m(`worse`)
			default:
				w.m(`no meaningful change`)
			}
			if g.TargetMet {
				w.m(`, target reached`)
			}
			w.m(`</li>`)
		}
		w.m(`</ul>` + "\n  ")
		if r.Rationale != "" {
			w.m(`<p>`)
			w.lines(p.Lines(r.Rationale))
			w.m(`</p>`)
		}
		w.m("\n" + `</section>`)
	}
	return w.html()
}

// HistoryItems are the plan's moves from status to status, or its drafting when none.
func (p PlanPage) HistoryItems() template.HTML {
	pl := p.Card.Plan
	w, d := newHTMLWriter(160*len(pl.Events)+64), p.Page.dates()
	for _, e := range pl.Events {
		w.m(`<li>`)
		w.text(d.When(e.At))
		w.m(`: `)
		w.text(e.From.Label())
		w.m(` → <strong>`)
		w.text(e.To.Label())
		w.m(`</strong>`)
		if e.Actor != "" {
			w.m(` by `)
			w.text(e.Actor)
		} else {
			w.m(` (automatic)`)
		}
		if e.Reason != "" {
			w.m(` · <bdi>`)
			w.text(e.Reason)
			w.m(`</bdi>`)
		}
		w.m(`</li>`)
	}
	if len(pl.Events) == 0 {
		w.m(`<li>Drafted `)
		w.text(d.When(pl.CreatedAt))
		w.m(`</li>`)
	}
	return w.html()
}

// lines writes text kept as lines, each isolated, with a break between them.
func (w *htmlWriter) lines(ls []string) {
	for i, l := range ls {
		if i > 0 {
			w.m(`<br>`)
		}
		w.m(`<bdi>`)
		w.text(l)
		w.m(`</bdi>`)
	}
}
