package oauth

import (
	"net/http"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/labstack/echo/v4"
)

// endpoints are the URLs both discovery documents name.
type endpoints struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	UserinfoEndpoint      string `json:"userinfo_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
	RevocationEndpoint    string `json:"revocation_endpoint"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
}

func (s *Server) endpoints(base string) endpoints {
	iss := s.issuer(base)
	return endpoints{
		Issuer:                iss,
		AuthorizationEndpoint: iss + "/authorize",
		TokenEndpoint:         iss + "/token",
		UserinfoEndpoint:      base + "/v1/connect/userinfo",
		JWKSURI:               iss + "/jwks",
		RevocationEndpoint:    iss + "/revoke",
		IntrospectionEndpoint: iss + "/introspect",
	}
}

// supported lists what parse grants, v1 and v2 spellings: a patient and a
// user scope for every type the FHIR API serves.
func (sr scopeRules) supported() []string {
	out := []string{scopeOpenID, scopeFHIRUser, scopeProfile, scopeLaunchPatient, scopeOfflineAccess}
	for _, c := range resourceContexts {
		out = append(out, c+"*.read", c+"*.rs")
		for _, t := range sr.types {
			out = append(out, c+t+".read", c+t+".rs")
		}
	}
	return out
}

// codeChallengeMethods are the PKCE methods of the profile (README, "Profiles").
func (s *Server) codeChallengeMethods() []string {
	if s.cfg.Profile == profile.Strict {
		return []string{pkceS256}
	}
	return []string{pkceS256, pkcePlain}
}

func authMethods() []string { return []string{"client_secret_basic", "client_secret_post", "none"} }
func grantTypes() []string  { return []string{grantCode, grantRefresh} }

// openIDConfiguration serves OpenID Connect Discovery 1.0 §3, with RFC 8414
// fields for revocation, introspection and PKCE, and RFC 9207 §3 for iss.
func (s *Server) openIDConfiguration(c echo.Context) error {
	doc := struct {
		endpoints
		ScopesSupported                 []string `json:"scopes_supported"`
		ResponseTypes                   []string `json:"response_types_supported"`
		ResponseModes                   []string `json:"response_modes_supported"`
		GrantTypes                      []string `json:"grant_types_supported"`
		SubjectTypes                    []string `json:"subject_types_supported"`
		IDTokenAlgs                     []string `json:"id_token_signing_alg_values_supported"`
		CodeChallengeMethods            []string `json:"code_challenge_methods_supported"`
		TokenAuthMethods                []string `json:"token_endpoint_auth_methods_supported"`
		RevocationAuthMethods           []string `json:"revocation_endpoint_auth_methods_supported"`
		IntrospectionAuthMethods        []string `json:"introspection_endpoint_auth_methods_supported"`
		ClaimsSupported                 []string `json:"claims_supported"`
		AuthorizationResponseISSSupport bool     `json:"authorization_response_iss_parameter_supported"`
	}{
		endpoints:                       s.endpoints(s.cfg.BaseURL(c.Request())),
		ScopesSupported:                 s.scopes.supported(),
		ResponseTypes:                   []string{"code"},
		ResponseModes:                   []string{"query"},
		GrantTypes:                      grantTypes(),
		SubjectTypes:                    []string{"public"},
		IDTokenAlgs:                     []string{"RS256"},
		CodeChallengeMethods:            s.codeChallengeMethods(),
		TokenAuthMethods:                authMethods(),
		RevocationAuthMethods:           authMethods(),
		IntrospectionAuthMethods:        authMethods(),
		ClaimsSupported:                 []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "fhirUser"},
		AuthorizationResponseISSSupport: true,
	}
	return c.JSON(http.StatusOK, doc)
}

// smartConfiguration serves {fhir}/.well-known/smart-configuration (SMART
// App Launch 2 §2.1 "Metadata"); capabilities list only what is enabled:
// permission-user for the user/ scopes, which a member is granted for what
// the member may read.
func (s *Server) smartConfiguration(c echo.Context) error {
	doc := struct {
		endpoints
		ScopesSupported      []string `json:"scopes_supported"`
		ResponseTypes        []string `json:"response_types_supported"`
		CodeChallengeMethods []string `json:"code_challenge_methods_supported"`
		TokenAuthMethods     []string `json:"token_endpoint_auth_methods_supported"`
		GrantTypes           []string `json:"grant_types_supported"`
		Capabilities         []string `json:"capabilities"`
	}{
		endpoints:            s.endpoints(s.cfg.BaseURL(c.Request())),
		ScopesSupported:      s.scopes.supported(),
		ResponseTypes:        []string{"code"},
		CodeChallengeMethods: s.codeChallengeMethods(),
		TokenAuthMethods:     authMethods(),
		GrantTypes:           grantTypes(),
		Capabilities: []string{"launch-standalone", "client-public", "client-confidential-symmetric",
			"context-standalone-patient", "permission-patient", "permission-user", "permission-offline",
			"permission-v1", "permission-v2", "sso-openid-connect", "authorize-post"},
	}
	return c.JSON(http.StatusOK, doc)
}
