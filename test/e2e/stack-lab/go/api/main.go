// The Go stack's HTTP API: net/http, zap's production logger (JSON lines on stderr), a pgx v4 pool.
// Faults are planted through its routes and environment: /report holds a pooled connection (pool
// exhaustion when several run at once), /panic panics in a handler (net/http recovers it), /alloc
// keeps allocating (the Go runtime's out-of-memory crash under a memory limit), and CRASH_AT_START
// panics before serving (a crash loop).
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v4/pgxpool"
	"go.uber.org/zap"
)

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) {
	w.status = s
	w.ResponseWriter.WriteHeader(s)
}

var hoard [][]byte

func main() {
	logger, err := zap.NewProduction()
	if err != nil {
		panic(err)
	}
	defer logger.Sync()

	if os.Getenv("CRASH_AT_START") != "" {
		// A required setting missing, as a start command with a bad environment meets it.
		panic(fmt.Sprintf("config: %s is not set", os.Getenv("CRASH_AT_START")))
	}

	cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		logger.Fatal("bad DATABASE_URL", zap.Error(err))
	}
	maxConns, _ := strconv.Atoi(env("POOL_MAX", "4"))
	cfg.MaxConns = int32(maxConns)
	timeout, _ := time.ParseDuration(env("QUERY_TIMEOUT", "1s"))
	pool, err := pgxpool.ConnectConfig(context.Background(), cfg)
	if err != nil {
		logger.Fatal("cannot create the database pool", zap.Error(err))
	}
	defer pool.Close()

	query := func(w http.ResponseWriter, r *http.Request, sql string, args ...interface{}) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		var n int64
		if err := pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			logger.Error("query failed", zap.String("path", r.URL.Path), zap.Error(err))
			http.Error(w, "database error", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%d\n", n)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { query(w, r, "select 1") })
	mux.HandleFunc("/orders", func(w http.ResponseWriter, r *http.Request) {
		query(w, r, "select count(*) from generate_series(1, 1000)")
	})
	mux.HandleFunc("/report", func(w http.ResponseWriter, r *http.Request) {
		// A slow report: it holds its connection for as long as it runs (no query timeout of its own).
		var n int64
		if err := pool.QueryRow(r.Context(), "select count(*) from pg_sleep($1::float8)", env("REPORT_SECONDS", "3")).Scan(&n); err != nil {
			logger.Error("report failed", zap.Error(err))
			http.Error(w, "database error", http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		var m map[string]int
		m["orders"]++ // assignment to entry in nil map
	})
	mux.HandleFunc("/alloc", func(w http.ResponseWriter, r *http.Request) {
		for {
			// Never written to: the address space runs out (under the lab's `ulimit -v`) without
			// the host's memory filling up.
			hoard = append(hoard, make([]byte, 8<<20))
		}
	})

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		mux.ServeHTTP(sw, r)
		logger.Info("request", zap.String("method", r.Method), zap.String("path", r.URL.Path),
			zap.Int("status", sw.status), zap.Duration("duration", time.Since(start)))
	})

	addr := "127.0.0.1:" + env("PORT", "8080")
	logger.Info("listening", zap.String("addr", addr), zap.Int32("pool_max", cfg.MaxConns))
	if err := http.ListenAndServe(addr, handler); err != nil {
		logger.Fatal("server stopped", zap.Error(err))
	}
}
