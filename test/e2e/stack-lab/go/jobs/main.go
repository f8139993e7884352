// The Go stack's background worker: logrus (text on stderr, as logrus.New() writes when stderr is no
// terminal), the standard library's log for its start-up lines, and a pgx v4 connection pool. Every
// INTERVAL it runs a job that reads from PostgreSQL and logs how it went.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v4/pgxpool"
	"github.com/sirupsen/logrus"
)

func main() {
	log.Printf("jobs starting, pid %d", os.Getpid())
	logger := logrus.New()
	interval, err := time.ParseDuration(os.Getenv("INTERVAL"))
	if err != nil {
		interval = 2 * time.Second
	}
	pool, err := pgxpool.Connect(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatalf("cannot create the database pool: %v", err)
	}
	defer pool.Close()
	log.Printf("connected, running every %s", interval)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	tick := time.NewTicker(interval)
	for run := 1; ; run++ {
		select {
		case s := <-stop:
			logger.WithField("signal", s.String()).Info("shutting down")
			return
		case <-tick.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		start := time.Now()
		var pending int64
		err := pool.QueryRow(ctx, "select count(*) from pg_stat_activity").Scan(&pending)
		cancel()
		entry := logger.WithFields(logrus.Fields{"job": "sync_invoices", "run": run})
		if err != nil {
			entry.WithError(err).Error("job failed")
			continue
		}
		if pending > 50 {
			entry.WithField("sessions", pending).Warn("many sessions open")
		}
		entry.WithFields(logrus.Fields{"sessions": pending, "ms": time.Since(start).Milliseconds()}).Info("job done")
	}
}
