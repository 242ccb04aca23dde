package consent

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// maxFormBytes bounds a step's form; the largest honest one is well under 1 KiB.
const maxFormBytes = 16 << 10

// step takes the post of one screen: POST {issuer}/consent with the hidden
// fields "step" and "csrf". It refuses, before looking at anything else, a
// post without a live step cookie (400), with a CSRF token not made for this
// cookie's flow and the posted step (403), for a step other than the
// cookie's (400: skipped), or with a cookie a later step superseded (400:
// replayed). Only then does the step's own handler run; none of these
// refusals can reach Flow.Finish.
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
	case posted != st.Step, s.steps.superseded(st.ID, st.Step):
		return s.failOutOfDate(c)
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

// currentState opens the step cookie. A flow lives flowLifetime from its
// start, so a cookie expiring later than that from now was made while the
// sandbox clock ran ahead, and is void once the clock is set back.
func (s *Screens) currentState(r *http.Request) (state, error) {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return state{}, errNoFlow
	}
	now := s.now()
	st, err := s.sealer.open(ck.Value, now)
	if err != nil || time.Unix(st.Expires, 0).After(now.Add(flowLifetime+cookieLeeway)) {
		return state{}, errNoFlow
	}
	return st, nil
}

func isStep(step string) bool {
	switch step {
	case stepDisclaimer, stepLogin, stepRelation, stepConsent:
		return true
	}
	return false
}

// failOutOfDate is the page for a post of a step the flow is not at.
func (s *Screens) failOutOfDate(c echo.Context) error {
	return s.fail(c, http.StatusBadRequest, "This page is out of date",
		"This step is not the one your sign-in is at: a step was skipped or sent twice. Go back to your app and connect to Blue Cross NC again.")
}

// failGarbled is the page for a post that is not one of our forms.
func (s *Screens) failGarbled(c echo.Context) error {
	return s.fail(c, http.StatusBadRequest, "We could not read that form",
		"The form sent to the sandbox was incomplete or not one of its own. Go back to your app and connect to Blue Cross NC again.")
}

// advance moves the flow to next, saves it in the cookie and shows next's
// page. The step's cookie is superseded from then on, and of two posts of
// the same step only the first moves the flow.
func (s *Screens) advance(c echo.Context, st state, req Request, next string) error {
	if !s.steps.advance(st.ID, st.Step, next, st.Expires) {
		return s.failOutOfDate(c)
	}
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
