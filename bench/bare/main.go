// Command bare is bench/run.sh's ceiling for a Go server: net/http alone,
// answering every request with the bytes of one file from memory, as the
// sandbox answers a cached search page but with no routing, token check,
// search or log line. bench/run.sh sends it the sandbox's request, token
// and all, so both parse the same bytes. The gap between it and nginx is
// net/http's; the gap between the sandbox and it is the sandbox's.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

func main() {
	// The runtime settings main.go gives the sandbox, so that the ceiling
	// is net/http's and not a difference of tuning.
	debug.SetMemoryLimit(48 << 20)
	debug.SetGCPercent(400)
	runtime.GOMAXPROCS(2 * runtime.GOMAXPROCS(0))
	addr := flag.String("addr", "127.0.0.1:18084", "listen address (loopback)")
	file := flag.String("file", "", "the body to serve")
	flag.Parse()
	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	length := strconv.Itoa(len(body))
	// The timeouts and header bound the sandbox's server sets
	// (newHTTPServer in internal/app/run.go): net/http arms a deadline per
	// request for them, part of serving safely rather than of the sandbox.
	srv := &http.Server{
		Addr:              *addr,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "application/fhir+json")
			h.Set("Content-Length", length)
			w.Write(body)
		}),
	}
	log.Fatal(srv.ListenAndServe())
}
