package consent

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bcbsnc-sandbox/sandbox/internal/seal"
	"github.com/labstack/echo/v4"
)

// AppsPath is the members' apps page, relative to the issuer: a member logs
// in, sees the apps holding access to their data and removes any of them.
const AppsPath = "/apps"

// ConnectedApp is one app holding access to a member's data: every live
// grant the member gave it, taken together.
type ConnectedApp struct {
	ClientID, ClientName string
	// Scopes are every scope the app holds, across its grants.
	Scopes []string
	// Grants is how many times the member connected it and not since removed it.
	Grants int
	// LastGranted is when the member last connected it.
	LastGranted time.Time
}

// Apps is what the members' apps page needs from the authorization server.
type Apps interface {
	// ConnectedApps lists the apps holding a live grant of the member's data.
	ConnectedApps(ctx context.Context, username string) ([]ConnectedApp, error)
	// RemoveApp ends every grant the member gave the app: each of their
	// access and refresh tokens is refused from then on. It returns how many
	// grants ended; an error means the client id is not a registered app.
	RemoveApp(ctx context.Context, username, clientID string) (int, error)
}

const (
	// appsCookieName names the apps page's sealed session cookie.
	appsCookieName = "sandbox_apps"
	// appsSessionLifetime bounds a login to the apps page.
	appsSessionLifetime = 30 * time.Minute
	// Purposes of the apps page's keys, apart from the consent flow's.
	appsCookiePurpose = "consent apps session"
	appsCSRFPurpose   = "consent apps csrf"
)

// The actions an apps page form posts, each with a CSRF token of its own.
const (
	appsLogIn  = "login"
	appsRemove = "remove"
	appsLogOut = "logout"
)

// appsSession is what the apps page's cookie holds. A browser without one
// gets an anonymous session, so that even the login form carries a CSRF
// token bound to that browser.
type appsSession struct {
	ID       string `json:"id"`
	Username string `json:"u,omitempty"` // set once the member logged in
	Expires  int64  `json:"e"`           // Unix s, sandbox clock
}

// appsPage keys the page's cookie and CSRF tokens.
type appsPage struct {
	apps Apps
	box  *seal.Sealer
	csrf *seal.MAC
}

func newAppsPage(apps Apps, key []byte) (*appsPage, error) {
	box, err := seal.New(seal.DeriveKey(key, appsCookiePurpose))
	if err != nil {
		return nil, err
	}
	mac, err := seal.NewMAC(seal.DeriveKey(key, appsCSRFPurpose))
	if err != nil {
		return nil, err
	}
	return &appsPage{apps: apps, box: box, csrf: mac}, nil
}

// appView is one app as the page lists it.
type appView struct {
	ClientID, Name string
	Asks           []string
	Grants         int
	LastGranted    string
	CSRF           string
}

// session opens the apps cookie: a session that has not expired and was
// not made while the sandbox clock ran ahead of where it is now.
func (s *Screens) appsSession(r *http.Request) (appsSession, bool) {
	ck, err := r.Cookie(appsCookieName)
	if err != nil || len(ck.Value) > maxCookieLen {
		return appsSession{}, false
	}
	var sess appsSession
	if s.appsPage.box.OpenJSON(appsCookiePurpose, ck.Value, &sess) != nil || sess.ID == "" {
		return appsSession{}, false
	}
	now := s.now()
	until := time.Unix(sess.Expires, 0)
	if !now.Before(until) || until.After(now.Add(appsSessionLifetime+cookieLeeway)) {
		return appsSession{}, false
	}
	return sess, true
}

// newAppsSession starts a session, anonymous or for username, and sets its cookie.
func (s *Screens) newAppsSession(c echo.Context, username string) (appsSession, error) {
	id, err := newFlowID()
	if err != nil {
		return appsSession{}, err
	}
	sess := appsSession{ID: id, Username: username, Expires: s.now().Add(appsSessionLifetime).Unix()}
	value, err := s.appsPage.box.SealJSON(appsCookiePurpose, sess)
	if err != nil {
		return appsSession{}, err
	}
	c.SetCookie(&http.Cookie{
		Name:     appsCookieName,
		Value:    value,
		Path:     s.appsPath(c),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   overTLS(c.Request()),
	})
	return sess, nil
}

// appsPath is the page's path as the browser sees it, and its cookie's path.
func (s *Screens) appsPath(c echo.Context) string { return s.root(c) + AppsPath }

// showApps serves GET {issuer}/apps: the member's apps once logged in, the
// login form before.
func (s *Screens) showApps(c echo.Context) error {
	sess, ok := s.appsSession(c.Request())
	if !ok {
		var err error
		if sess, err = s.newAppsSession(c, ""); err != nil {
			return s.failInternal(c, err)
		}
	}
	return s.renderApps(c, http.StatusOK, sess, view{})
}

// postApps serves POST {issuer}/apps: log in, remove an app, log out. A
// post without the page's cookie, or with a CSRF token not made for that
// cookie and that action, is refused before anything else.
func (s *Screens) postApps(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.failGarbled(c)
	}
	form := r.PostForm
	sess, ok := s.appsSession(r)
	if !ok {
		return s.fail(c, http.StatusBadRequest, "Your session has ended",
			"Your visit to this page has expired or was opened in another browser. Open your connected apps page again.")
	}
	action := form.Get("action")
	switch {
	case action != appsLogIn && action != appsRemove && action != appsLogOut:
		return s.failGarbled(c)
	case !s.appsPage.csrf.Verify(form.Get("csrf"), appsCSRFPurpose, sess.ID, action):
		return s.fail(c, http.StatusForbidden, "This form has expired",
			"This form does not belong to your current visit. Open your connected apps page again.")
	case action != appsLogIn && sess.Username == "":
		return s.renderApps(c, http.StatusUnauthorized, sess, view{Error: "Log in first."})
	}
	switch action {
	case appsLogIn:
		return s.appsLogIn(c, sess, form)
	case appsLogOut:
		sess, err := s.newAppsSession(c, "")
		if err != nil {
			return s.failInternal(c, err)
		}
		return s.renderApps(c, http.StatusOK, sess, view{Message: "You have logged out."})
	}
	clientID := form.Get("client_id")
	n, err := s.appsPage.apps.RemoveApp(r.Context(), sess.Username, clientID)
	if err != nil || clientID == "" {
		return s.renderApps(c, http.StatusBadRequest, sess, view{Error: "That app is not one this page can remove."})
	}
	msg := "The app no longer has access to your data."
	if n == 0 {
		msg = "The app had no access to remove."
	}
	return s.renderApps(c, http.StatusOK, sess, view{Message: msg})
}

// appsLogIn checks the password as the consent flow's login does, against
// the same cool-down, and starts a new session for the member (a new id:
// the anonymous session's CSRF tokens do not carry over).
func (s *Screens) appsLogIn(c echo.Context, sess appsSession, form url.Values) error {
	username := strings.TrimSpace(form.Get("username"))
	password := form.Get("password")
	if !utf8.ValidString(username) || len(username) > maxUsernameLen {
		return s.renderApps(c, http.StatusUnprocessableEntity, sess, view{Error: msgWrongPassword})
	}
	again := view{Username: username}
	if wait := s.throttle.wait(username); wait > 0 {
		again.Error = tooManyAttempts(wait)
		return s.renderApps(c, http.StatusTooManyRequests, sess, again)
	}
	if username == "" || password == "" {
		again.Error = "Enter your username and your password."
		return s.renderApps(c, http.StatusUnprocessableEntity, sess, again)
	}
	if len(password) > maxPasswordLen || !s.authenticate(username, password) {
		if wait := s.throttle.fail(username); wait > 0 {
			again.Error = tooManyAttempts(wait)
			return s.renderApps(c, http.StatusTooManyRequests, sess, again)
		}
		again.Error = msgWrongPassword
		return s.renderApps(c, http.StatusUnprocessableEntity, sess, again)
	}
	s.throttle.succeed(username)
	sess, err := s.newAppsSession(c, username)
	if err != nil {
		return s.failInternal(c, err)
	}
	return s.renderApps(c, http.StatusOK, sess, view{})
}

// renderApps shows the login form, or the member's apps, for sess.
func (s *Screens) renderApps(c echo.Context, status int, sess appsSession, v view) error {
	v.Root = s.root(c)
	v.AppsAction = s.appsPath(c)
	v.Step = appsLogIn
	v.CSRF = s.appsPage.csrf.Sum(appsCSRFPurpose, sess.ID, appsLogIn)
	if sess.Username == "" {
		return s.render(c, status, viewApps, v)
	}
	apps, err := s.appsPage.apps.ConnectedApps(c.Request().Context(), sess.Username)
	if err != nil {
		return s.failInternal(c, err)
	}
	v.Username = sess.Username
	v.LoggedIn = true
	v.LogOutCSRF = s.appsPage.csrf.Sum(appsCSRFPurpose, sess.ID, appsLogOut)
	remove := s.appsPage.csrf.Sum(appsCSRFPurpose, sess.ID, appsRemove)
	for _, a := range apps {
		name := a.ClientName
		if name == "" {
			name = a.ClientID
		}
		v.Apps = append(v.Apps, appView{
			ClientID:    a.ClientID,
			Name:        name,
			Asks:        s.describeScopes(a.Scopes, ""),
			Grants:      a.Grants,
			LastGranted: a.LastGranted.UTC().Format("January 2, 2006 at 15:04 UTC"),
			CSRF:        remove,
		})
	}
	return s.render(c, status, viewApps, v)
}
