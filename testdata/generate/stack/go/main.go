// Command shopapi is a small net/http service that logs one line per request through the
// logger chosen with -log: log/slog's JSON handler (slog-json), its text handler (slog-text)
// or the standard log package with its default flags (go-log). testdata/generate/stack/go
// runs it once per logger. Standard library only.
//
//	GET /healthz            200
//	GET /api/items/{n}      sleeps 10*n ms, 200
//	GET /api/slow/{n}       sleeps 300 ms, 200
//	GET /api/fail/{n}       the payment call fails with a *PaymentError: logged, 500
//	GET /api/panic          a real runtime panic (assignment to entry in a nil map): net/http
//	                        recovers it and logs it with the goroutine's stack through the
//	                        server's ErrorLog, which is nil, so the std logger on stderr
//	anything else           404 from the ServeMux
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// PaymentError is what the payment provider's client returns for a refused charge.
type PaymentError struct {
	Order  int
	Reason string
}

func (e *PaymentError) Error() string { return e.Reason }

// requestLog is the one place that knows which logger is in use.
type requestLog interface {
	started(addr string)
	stopped()
	finished(id, method, path string, status int, d time.Duration)
	failed(id string, err error)
}

type slogLog struct{ logger *slog.Logger }

func (l slogLog) started(addr string) { l.logger.Info("server listening", "addr", addr) }
func (l slogLog) stopped()            { l.logger.Info("server stopped") }
func (l slogLog) finished(id, method, path string, status int, d time.Duration) {
	l.logger.Info("request finished", "request_id", id, "method", method, "path", path, "status", status, "duration", d)
}
func (l slogLog) failed(id string, err error) {
	l.logger.Error("request failed", "request_id", id, "err", err)
}

type stdLog struct{}

func (stdLog) started(addr string) { log.Printf("server listening addr=%s", addr) }
func (stdLog) stopped()            { log.Printf("server stopped") }
func (stdLog) finished(id, method, path string, status int, d time.Duration) {
	log.Printf("request finished request_id=%s method=%s path=%s status=%d duration=%s", id, method, path, status, d)
}
func (stdLog) failed(id string, err error) {
	log.Printf("request failed request_id=%s err=%v", id, err)
}

var logs requestLog

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// withLog logs "request finished" after the handler returned. A handler that panics never
// returns here: net/http's own recovery is the only trace of that request.
func withLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logs.finished(r.Header.Get("X-Request-ID"), r.Method, r.URL.Path, rec.status, time.Since(start))
	})
}

func number(w http.ResponseWriter, r *http.Request) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		http.NotFound(w, r)
		return 0, false
	}
	return n, true
}

func chargeOrder(order int) error {
	return &PaymentError{Order: order, Reason: "card declined"}
}

func handleHealth(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, "ok")
}

func handleItem(w http.ResponseWriter, r *http.Request) {
	n, ok := number(w, r)
	if !ok {
		return
	}
	time.Sleep(time.Duration(10*n) * time.Millisecond)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"id\":%d,\"name\":\"item %d\"}\n", n, n)
}

func handleSlow(w http.ResponseWriter, r *http.Request) {
	n, ok := number(w, r)
	if !ok {
		return
	}
	time.Sleep(300 * time.Millisecond)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"report\":%d}\n", n)
}

func handleFail(w http.ResponseWriter, r *http.Request) {
	n, ok := number(w, r)
	if !ok {
		return
	}
	if err := chargeOrder(n); err != nil {
		logs.failed(r.Header.Get("X-Request-ID"), err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "charged")
}

func handlePanic(w http.ResponseWriter, r *http.Request) {
	var seen map[string]int
	seen[r.Header.Get("X-Request-ID")]++ // assignment to entry in nil map
	fmt.Fprintln(w, "unreachable")
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18200", "listen address")
	which := flag.String("log", "slog-json", "logger: slog-json, slog-text or go-log")
	flag.Parse()
	switch *which {
	case "slog-json":
		logs = slogLog{slog.New(slog.NewJSONHandler(os.Stdout, nil))}
	case "slog-text":
		logs = slogLog{slog.New(slog.NewTextHandler(os.Stdout, nil))}
	case "go-log":
		logs = stdLog{}
	default:
		fmt.Fprintf(os.Stderr, "unknown -log %q\n", *which)
		os.Exit(2)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", handleHealth)
	mux.HandleFunc("GET /api/items/{n}", handleItem)
	mux.HandleFunc("GET /api/slow/{n}", handleSlow)
	mux.HandleFunc("GET /api/fail/{n}", handleFail)
	mux.HandleFunc("GET /api/panic", handlePanic)

	srv := &http.Server{Addr: *addr, Handler: withLog(mux)} // ErrorLog nil: the std logger
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	logs.started(ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	logs.stopped()
}
