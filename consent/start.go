package consent

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/bcbsnc-sandbox/sandbox/internal/store"
)

// start opens a flow: GET {issuer}/consent?request=HANDLE, where the
// authorization server sent the browser after validating /authorize. It
// shows the disclaimer with a fresh flow's state in its form, so reloading
// this URL starts the screens over, and sets the browser cookie unless the
// browser holds one already: the flows of other tabs, bound to it, go on.
// Without a handle the server issued, it is an error page: the docs say of
// these screens "DO NOT ACCESS THIS PAGE DIRECTLY".
func (s *Screens) start(c echo.Context) error {
	handle := c.QueryParam("request")
	if handle == "" || len(handle) > maxHandleLen {
		return s.failNoRequest(c)
	}
	req, err := s.flow.Describe(c.Request().Context(), handle)
	if err != nil {
		return s.failNoRequestOr(c, err)
	}
	id, err := newFlowID()
	if err != nil {
		return s.failInternal(c, err)
	}
	browser, err := s.bindBrowser(c)
	if err != nil {
		return s.failInternal(c, err)
	}
	st := state{ID: id, Browser: browser, Handle: handle, Step: stepDisclaimer, Expires: s.now().Add(flowLifetime).Unix()}
	return s.show(c, http.StatusOK, st, req, view{})
}

// failNoRequest is the page for a missing, forged or expired request handle.
func (s *Screens) failNoRequest(c echo.Context) error {
	return s.fail(c, http.StatusBadRequest, "Start from your app",
		"This sign-in page opens only from an app that asks for your data. Do not access this page directly: go back to your app and connect to Blue Cross NC again.")
}

// failNoRequestOr is failNoRequest, unless err says the store the replicas
// share is unreachable: then the request may be fine, and the member is
// asked to try again instead.
func (s *Screens) failNoRequestOr(c echo.Context, err error) error {
	if errors.Is(err, store.ErrUnavailable) {
		return s.failUnavailable(c)
	}
	return s.failNoRequest(c)
}

// failUnavailable is the page for a moment when the store the replicas
// share cannot be reached: nothing was approved, and the member starts
// over from the app (503 with Retry-After, RFC 9110 §15.6.4, §10.2.3).
func (s *Screens) failUnavailable(c echo.Context) error {
	c.Response().Header().Set("Retry-After", "1")
	return s.fail(c, http.StatusServiceUnavailable, "Try again in a moment",
		"The sandbox cannot reach the store its servers share just now, so it approved nothing. Go back to your app and connect to Blue Cross NC again in a moment.")
}

// failInternal logs an unexpected error and shows a 500 page, or the
// try-again page when the shared store is unreachable.
func (s *Screens) failInternal(c echo.Context, err error) error {
	if errors.Is(err, store.ErrUnavailable) {
		return s.failUnavailable(c)
	}
	c.Logger().Errorf("consent: %v", err)
	return s.fail(c, http.StatusInternalServerError, "Something went wrong",
		"The sandbox could not continue. Go back to your app and try again.")
}

// bindBrowser returns the id in the browser cookie, setting a new cookie
// when the browser sent none that opens.
func (s *Screens) bindBrowser(c echo.Context) (string, error) {
	if id, err := s.browserID(c.Request()); err == nil {
		return id, nil
	}
	id, err := newFlowID()
	if err != nil {
		return "", err
	}
	value, err := s.sealer.sealBrowser(id)
	if err != nil {
		return "", err
	}
	c.SetCookie(stepCookie(c.Request(), s.cookiePath(c), value))
	return id, nil
}

// cookiePath scopes the browser cookie to the issuer path.
func (s *Screens) cookiePath(c echo.Context) string {
	if p := s.root(c); p != "" {
		return p
	}
	return "/"
}

// show renders the page of the step st is at. v carries what the previous
// post left (an error, the member's earlier answers); show fills in the rest.
func (s *Screens) show(c echo.Context, status int, st state, req Request, v view) error {
	sealed, err := s.sealer.seal(st)
	if err != nil {
		return s.failInternal(c, err)
	}
	v.Root = s.root(c)
	v.Flow = sealed
	v.Step = st.Step
	v.CSRF = s.csrf.token(st.ID, st.Step)
	v.Client = req.ClientName
	if v.Client == "" {
		v.Client = req.ClientID
	}
	switch st.Step {
	case stepLogin:
		if v.Username == "" && v.Error == "" {
			v.Username = req.LoginHint
		}
	case stepRelation:
		v.Relationships = relationships()
		v.Username = st.Username
		v.Member = s.nameOf(st.Username)
	case stepConsent:
		v.Username = st.Username
		v.Member = s.nameOf(st.Username)
		v.Representative = st.Representative
		whose := "" // the member's own data: the sentences say "your"
		if st.Representative != nil {
			v.RelDisplay = relationshipDisplay(st.Representative)
			whose = v.Member
		}
		v.Asks = s.describeScopes(req.Scopes, whose)
		if s.appsPage != nil {
			v.AppsHref = v.Root + AppsPath
		}
	}
	return s.render(c, status, st.Step, v)
}

// nameOf is how the screens name the member who logs in as username: by
// name when the sandbox knows it, else by the account.
func (s *Screens) nameOf(username string) string {
	if s.memberName != nil {
		if name := s.memberName(username); name != "" {
			return name
		}
	}
	return "the member " + username
}
