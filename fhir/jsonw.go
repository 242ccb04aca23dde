package fhir

import (
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// contentTypeFHIR is the R4 JSON media type (R4 RESTful API, "Content
// Types and encodings"; README, "FHIR").
const contentTypeFHIR = "application/fhir+json"

// instantLayout writes a FHIR instant with milliseconds, as the docs show
// them ("2019-11-05T22:05:48.257-05:00").
const instantLayout = "2006-01-02T15:04:05.000Z07:00"

// writeFHIR answers 200 with a FHIR JSON body. Content-Length spares
// clients chunked decoding and lets net/http write the page in one piece.
func writeFHIR(c echo.Context, body []byte) error {
	h := c.Response().Header()
	h["Content-Type"] = fhirJSON // canonical names and a shared value, as in setCORS
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	c.Response().WriteHeader(http.StatusOK)
	_, err := c.Response().Write(body)
	return err
}

// appendString appends s as a JSON string. Unlike encoding/json it leaves
// '&', '<' and '>' alone, so link URLs read as sent (encoding/json would write \u0026);
// quotes, backslashes, control characters and invalid UTF-8 are escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// appendEscaped appends s escaped as the inside of a JSON string.
func appendEscaped(dst []byte, s string) []byte {
	if plainJSON(s) {
		return append(dst, s...) // the common case: URLs and ids need no escape
	}
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// plainJSON reports whether s is printable ASCII without a quote or a
// backslash: its own JSON string body.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// appendInstant appends t as a JSON FHIR instant.
func appendInstant(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, instantLayout)
	return append(dst, '"')
}
