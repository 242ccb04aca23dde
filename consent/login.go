package consent

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

const (
	maxUsernameLen = 100
	maxPasswordLen = 200
)

// logIn is step 2. A wrong password shows the form again with an error,
// keeping the username and never the password, and counts against the
// account; after maxFailures within failureWindow the account cools down
// and even the right password is refused until it has.
func (s *Screens) logIn(c echo.Context, st state, req Request, form url.Values) error {
	username := strings.TrimSpace(form.Get("username"))
	password := form.Get("password")
	if !utf8.ValidString(username) || len(username) > maxUsernameLen {
		return s.show(c, http.StatusUnprocessableEntity, st, req, view{Error: msgWrongPassword})
	}
	again := view{Username: username}
	if wait := s.throttle.wait(username); wait > 0 {
		again.Error = tooManyAttempts(wait)
		return s.show(c, http.StatusTooManyRequests, st, req, again)
	}
	if username == "" || password == "" {
		again.Error = "Enter your username and your password."
		return s.show(c, http.StatusUnprocessableEntity, st, req, again)
	}
	if len(password) > maxPasswordLen || !s.authenticate(username, password) {
		if wait := s.throttle.fail(username); wait > 0 {
			again.Error = tooManyAttempts(wait)
			return s.show(c, http.StatusTooManyRequests, st, req, again)
		}
		again.Error = msgWrongPassword
		return s.show(c, http.StatusUnprocessableEntity, st, req, again)
	}
	s.throttle.succeed(username)
	st.Username = username
	return s.advance(c, st, req, stepRelation)
}

const msgWrongPassword = "The username or password is not correct. Check both and try again."

// tooManyAttempts says how long the member must wait, in whole minutes
// rounded up, so "0 minutes" is never shown.
func tooManyAttempts(wait time.Duration) string {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	unit := "minutes"
	if minutes == 1 {
		unit = "minute"
	}
	return fmt.Sprintf("Too many attempts: this account is locked for your security. Try again in %d %s.", minutes, unit)
}
