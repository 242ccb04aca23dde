package consent

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// maxFormBytes bounds a step's form; the largest honest one is well under 1 KiB.
const maxFormBytes = 16 << 10

// step takes the post of one screen: POST {issuer}/consent with the hidden
// fields "flow" (the sealed state), "step" and "csrf". It refuses, before
// looking at anything else, a post without the browser cookie or a live
// state (400), with another browser's state (403), with a CSRF token not
// made for the state's flow and the posted step (403), for a step other
// than the state's (400: skipped), with a state a later step superseded
// (400: replayed), or of a flow already finished (400). Only then does the
// step's own handler run; none of these refusals can reach Flow.Finish.
func (s *Screens) step(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.failGarbled(c)
	}
	form := r.PostForm
	st, err := s.currentState(r, form.Get(flowField))
	switch {
	case errors.Is(err, errOtherBrowser):
		return s.failForeignForm(c)
	case err != nil:
		return s.failEnded(c)
	}
	posted := form.Get("step")
	switch {
	case !isStep(posted):
		return s.failGarbled(c)
	case !s.csrf.valid(st.ID, posted, form.Get("csrf")):
		return s.failForeignForm(c)
	case s.steps.superseded(st.ID, stepConsent):
		return s.failEnded(c) // the flow finished: nothing of it runs again
	case posted != st.Step, s.steps.superseded(st.ID, st.Step):
		return s.failOutOfDate(c)
	}
	req, err := s.flow.Describe(r.Context(), st.Handle)
	if err != nil {
		return s.failNoRequestOr(c, err)
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

// currentState opens the posted state and checks that this browser started
// its flow. A flow lives flowLifetime from its start, so a state expiring
// later than that from now was made while the sandbox clock ran ahead, and
// is void once the clock is set back.
func (s *Screens) currentState(r *http.Request, sealed string) (state, error) {
	browser, err := s.browserID(r)
	if err != nil {
		return state{}, errNoFlow
	}
	now := s.now()
	st, err := s.sealer.open(sealed, now)
	if err != nil || time.Unix(st.Expires, 0).After(now.Add(flowLifetime+cookieLeeway)) {
		return state{}, errNoFlow
	}
	if st.Browser != browser {
		return state{}, errOtherBrowser
	}
	return st, nil
}

// browserID opens the browser cookie.
func (s *Screens) browserID(r *http.Request) (string, error) {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return "", errNoFlow
	}
	return s.sealer.openBrowser(ck.Value)
}

func isStep(step string) bool {
	switch step {
	case stepDisclaimer, stepLogin, stepRelation, stepConsent:
		return true
	}
	return false
}

// failEnded is the page for a post without a live flow of this browser.
func (s *Screens) failEnded(c echo.Context) error {
	return s.fail(c, http.StatusBadRequest, "Your sign-in has ended",
		"This sign-in has expired, was already finished, or was started in another browser. Go back to your app and connect to Blue Cross NC again.")
}

// failForeignForm is the page for a form that is not this browser's, or
// not of its flow's current step: a CSRF failure.
func (s *Screens) failForeignForm(c echo.Context) error {
	return s.fail(c, http.StatusForbidden, "This form has expired",
		"This form does not belong to your current sign-in. Go back to your app and connect to Blue Cross NC again.")
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

// advance moves the flow to next and shows next's page, whose form
// carries the new state. The step's state is superseded from then on, and
// of two posts of the same step only the first moves the flow.
func (s *Screens) advance(c echo.Context, st state, req Request, next string) error {
	if !s.steps.advance(st.ID, st.Step, next, st.Expires) {
		return s.failOutOfDate(c)
	}
	st.Step = next
	return s.show(c, http.StatusOK, st, req, view{})
}

// acceptDisclaimer is step 1: the member read what the sandbox is and
// pressed "I Understand".
func (s *Screens) acceptDisclaimer(c echo.Context, st state, req Request) error {
	return s.advance(c, st, req, stepLogin)
}
