// Command bare is bench/run.sh's ceiling for a Go server: net/http alone,
// answering every request with the bytes of one file from memory, as the
// sandbox answers a cached search page but with no routing, token check,
// search or log line. The gap between it and nginx is net/http's; the gap
// between the sandbox and it is the sandbox's.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
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
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/fhir+json")
		h.Set("Content-Length", length)
		w.Write(body)
	})))
}
