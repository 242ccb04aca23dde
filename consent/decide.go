package consent

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// decide is step 4: "I Agree" (sharing everything, or health data without
// personal information) or "Deny". Either ends the flow: the step ledger
// records it finished before Flow.Finish runs, so the same post, sent twice
// or replayed, cannot finish it twice, and Flow.Finish says where the
// browser goes. The browser cookie stays for the browser's other flows.
func (s *Screens) decide(c echo.Context, st state, req Request, form url.Values) error {
	d := Decision{Username: st.Username, Representative: st.Representative}
	switch form.Get("decision") {
	case "deny":
	case "agree":
		d.Approved = true
		switch form.Get("share") {
		case "all":
			d.SharePersonal = true
		case "health":
		default:
			return s.show(c, http.StatusUnprocessableEntity, st, req, view{Error: "Choose what to share with the app.", ErrorField: "share"})
		}
	default:
		return s.show(c, http.StatusUnprocessableEntity, st, req, view{Error: "Choose I Agree or Deny.", ErrorField: "decision", Share: form.Get("share")})
	}
	if !s.steps.advance(st.ID, stepConsent, stepDone, st.Expires) {
		return s.failOutOfDate(c) // the same decision posted twice at once: the other post finishes it
	}
	to, err := s.flow.Finish(c.Request().Context(), st.Handle, d)
	switch {
	case errors.Is(err, ErrRequestEnded):
		// The same I Agree posted twice at once: the other post finished it.
		return s.failOutOfDate(c)
	case err != nil:
		return s.failInternal(c, err)
	}
	// 303: the browser follows a POST's redirect with a GET (RFC 9110 §15.4.4).
	return c.Redirect(http.StatusSeeOther, to)
}
