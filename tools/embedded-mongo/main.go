// Command embedded-mongo runs FerretDB (MongoDB wire protocol over SQLite) in-process,
// for local runs and tests where a real MongoDB is not available.
//
// It prints one line, "ready mongodb://host:port/", on stdout once it accepts connections,
// so callers may pass port 0 and read the port that was chosen, and exits on SIGTERM/SIGINT.
// Write commands pass through a serializer (serialize.go) so that single-document updates
// are atomic, as on MongoDB. FerretDB is built with patches/ applied (tools/stack/services.mjs):
// its SQLite backend answers equality and $in on indexed top-level fields through the index.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "loopback address to listen on (port 0 picks a free port)")
	dataDir := flag.String("data", ".data/mongo", "directory for the SQLite databases")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	pushdown := flag.Bool("pushdown", true, "let SQLite select documents by index; false filters every document in Go (the reference for tests)")
	flag.Parse()

	if err := run(*listen, *dataDir, *logLevel, *pushdown); err != nil {
		fmt.Fprintln(os.Stderr, "embedded-mongo:", err)
		os.Exit(1)
	}
}

func run(listen, dataDir, logLevel string, pushdown bool) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("bad -listen %q: %w", listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("bad -listen %q: only loopback addresses are allowed", listen)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("bad -log-level %q: %w", logLevel, err)
	}

	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}

	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// FerretDB itself listens on a private port; clients reach it through the serializer.
	public, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	defer public.Close()

	db, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",

		DisablePushdown: !pushdown,
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	upstream, err := url.Parse(db.MongoDBURI())
	if err != nil {
		return err
	}
	front := &serializer{upstream: upstream.Host, logger: logger}
	go func() {
		if err := front.serve(public); err != nil {
			logger.Error("serializer stopped", "err", err)
			stop()
		}
	}()

	// Both listeners are bound already, so the address is final and accepting.
	fmt.Printf("ready mongodb://%s/\n", public.Addr())

	err = db.Run(ctx)
	public.Close()
	return err
}
