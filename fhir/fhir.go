// Package fhir serves the sandbox's read-only FHIR R4 Patient Access API:
// reads and searches of a member's resources, paging, the SMART scope and
// patient-compartment checks, error bodies in the profile's shape and the
// CapabilityStatement.
//
// It never imports the authorization server: a token is turned into a Grant
// by Config.Authorize, and a member is found by Config.Members. Resources are
// served as the generator rendered them; bundles splice those bytes.
package fhir

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/labstack/echo/v4"
)

// BasePath is the FHIR base below the base URL (README, "Endpoints").
const BasePath = "/fhir/sb/R4/patientaccess"

// Grant is what a bearer token allows, as the authorization server saw it.
type Grant struct {
	// Patient is the member whose compartment the token opens.
	Patient string
	// Scopes are the granted scopes (SMART v1 or v2 spelling).
	Scopes []string
	// FHIRUser is "Patient/{id}" or "RelatedPerson/{id}".
	FHIRUser string
	// RelatedPerson is non-nil when a personal representative holds the token.
	RelatedPerson *RelatedPerson
}

// RelatedPerson is the personal representative behind a token. Relationship
// is one of the consent package's codes: parent, poa, guardian, other.
type RelatedPerson struct{ ID, Name, Relationship, RelationshipText string }

// Config is what the API needs from main.
type Config struct {
	// Profile decides the error shape and whether unknown search parameters
	// are errors; the zero value is profile.BCBSNC.
	Profile profile.Profile
	// BaseURL gives the public base URL of a request, without a trailing slash.
	BaseURL func(*http.Request) string
	// IssuerPath is the authorization server's path below the base URL, for
	// the CapabilityStatement's SMART security extension.
	IssuerPath string
	// Authorize turns a bearer token into a Grant; any error means 401.
	Authorize func(ctx context.Context, bearer string) (Grant, error)
	// Members finds a member by patient id.
	Members func(patientID string) (*generator.Member, bool)
	// Pages is the cache of rendered search pages, which APIs serving under
	// different base URLs may share (a page's key holds its base URL); nil
	// means one of its own of 8 MB.
	Pages *PageCache
	// Indexes keeps the search index of recently searched members, which
	// APIs may share as they share Pages (an index is tied to the member
	// value it was built from); nil means one of its own.
	Indexes *IndexCache
}

// API is the FHIR API. It is safe for concurrent use.
type API struct {
	cfg   Config
	types []resourceType // at most 32: includable masks hold a bit per type
	pages *pageCache     // nil disables caching
	index *indexCache    // the facts of recently searched members
	bufs  sync.Pool      // of *[]byte render buffers
}

// New checks cfg and returns the API.
func New(cfg Config) (*API, error) {
	if !cfg.Profile.Valid() {
		return nil, errors.New("fhir: unknown profile " + cfg.Profile.String())
	}
	if cfg.BaseURL == nil || cfg.Authorize == nil || cfg.Members == nil {
		return nil, errors.New("fhir: Config needs BaseURL, Authorize and Members")
	}
	if cfg.IssuerPath == "" {
		return nil, errors.New("fhir: Config needs IssuerPath")
	}
	pages, indexes := cfg.Pages, cfg.Indexes
	if pages == nil {
		pages = NewPageCache(defaultCacheBytes)
	}
	if indexes == nil {
		indexes = NewIndexCache()
	}
	return &API{
		cfg:   cfg,
		types: resourceTypes(),
		pages: pages,
		index: indexes,
	}, nil
}

// Register adds every FHIR route to g, which must be e.Group(BasePath).
// Each route accepts every method so that a wrong one gets a 405 in the
// profile's error shape rather than echo's; anything else under the base is
// a 404 in the same shape.
func (a *API) Register(g *echo.Group) {
	g.Any("/metadata", a.route(http.MethodGet, a.metadata))
	for i := range a.types {
		t := &a.types[i]
		g.Any("/"+t.Name+"/:id", a.route(http.MethodGet, a.authorized(t, interactionRead, a.read)))
		if len(t.Params) == 0 {
			continue // read-only type: no search routes
		}
		search := a.authorized(t, interactionSearch, a.search)
		g.Any("/"+t.Name, a.route(http.MethodGet, search))
		g.Any("/"+t.Name+"/", a.route(http.MethodGet, search))
		g.Any("/"+t.Name+"/_search", a.route(http.MethodPost, search))
	}
	g.Any("", a.route("", nil))
	g.Any("/*", a.route("", nil))
}

// Invalidate forgets every cached page of the member, for when the member's
// resources change (the control API edits them).
func (a *API) Invalidate(patientID string) {
	if a.pages != nil {
		a.pages.invalidate(patientID)
	}
	a.index.invalidate(patientID)
}
