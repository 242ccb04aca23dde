package consent

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// maxFormBytes bounds a step's form; the largest honest one is well under 1 KiB.
const maxFormBytes = 16 << 10

// step takes the post of one screen: POST {issuer}/consent with the hidden
// fields "step" and "csrf". It refuses, before looking at anything else, a
// post without a live step cookie (400), with a CSRF token not made for this
// cookie's flow and the posted step (403), or for a step other than the one
// the flow is at (400: skipped or replayed). Only then does the step's own
// handler run; none of these refusals can reach Flow.Finish.
func (s *Screens) step(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.failGarbled(c)
	}
	form := r.PostForm
	st, err := s.currentState(r)
	if err != nil {
		return s.fail(c, http.StatusBadRequest, "Your sign-in has ended",
			"This sign-in has expired, was already finished, or was started in another browser. Go back to your app and connect to Blue Cross NC again.")
	}
	posted := form.Get("step")
	switch {
	case !isStep(posted):
		return s.failGarbled(c)
	case !s.csrf.valid(st.ID, posted, form.Get("csrf")):
		return s.fail(c, http.StatusForbidden, "This form has expired",
			"This form does not belong to your current sign-in. Go back to your app and connect to Blue Cross NC again.")
	case posted != st.Step:
		return s.fail(c, http.StatusBadRequest, "This page is out of date",
			"This step is not the one your sign-in is at: a step was skipped or sent twice. Go back to your app and connect to Blue Cross NC again.")
	}
	req, err := s.flow.Describe(r.Context(), st.Handle)
	if err != nil {
		s.clearState(c)
		return s.failNoRequest(c)
	}
	switch st.Step {
	case stepDisclaimer:
		return s.acceptDisclaimer(c, st, req)
	case stepLogin:
		return s.logIn(c, st, req, form)
	case stepRelation:
		return s.chooseRelation(c, st, req, form)
	default: // stepConsent: isStep admits nothing else
		return s.decide(c, st, req, form)
	}
}

// currentState opens the step cookie.
func (s *Screens) currentState(r *http.Request) (state, error) {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return state{}, errNoFlow
	}
	return s.sealer.open(ck.Value, s.now())
}

func isStep(step string) bool {
	switch step {
	case stepDisclaimer, stepLogin, stepRelation, stepConsent:
		return true
	}
	return false
}

// failGarbled is the page for a post that is not one of our forms.
func (s *Screens) failGarbled(c echo.Context) error {
	return s.fail(c, http.StatusBadRequest, "We could not read that form",
		"The form sent to the sandbox was incomplete or not one of its own. Go back to your app and connect to Blue Cross NC again.")
}

// advance moves the flow to next, saves it in the cookie and shows next's page.
func (s *Screens) advance(c echo.Context, st state, req Request, next string) error {
	st.Step = next
	if err := s.setState(c, st); err != nil {
		return s.failInternal(c, err)
	}
	return s.show(c, http.StatusOK, st, req, view{})
}

// acceptDisclaimer is step 1: the member read what the sandbox is and
// pressed "I Understand".
func (s *Screens) acceptDisclaimer(c echo.Context, st state, req Request) error {
	return s.advance(c, st, req, stepLogin)
}
