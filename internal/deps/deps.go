// Package deps pins the module's dependencies while the packages that use
// them are written in parallel. Remove once every import is real.
package deps

import (
	_ "github.com/brianvoe/gofakeit/v7"
	_ "github.com/chromedp/chromedp"
	_ "github.com/coreos/go-oidc/v3/oidc"
	_ "github.com/go-jose/go-jose/v4"
	_ "github.com/labstack/echo/v4"
	_ "golang.org/x/oauth2"
)
