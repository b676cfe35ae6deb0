package main

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	_ "github.com/pocketbase/pocketbase/migrations" // system collections (users, _superusers, ...)
	"github.com/pocketbase/pocketbase/tools/types"
)

// Account is an auth record seeded on start.
type Account struct {
	Collection string
	Email      string
	Password   string
}

// Config is the dev server configuration (see main.go for the flags).
type Config struct {
	Dir            string
	HTTP           string
	User           Account
	Other          Account
	Superuser      Account
	ExitOnStdinEOF bool
}

const postsCollection = "posts"

// newApp creates, bootstraps and seeds a PocketBase app extended with the
// BosBase custom-token endpoints.
func newApp(cfg Config) (*core.BaseApp, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: cfg.Dir})
	if err := app.Bootstrap(); err != nil {
		return nil, fmt.Errorf("bootstrap %q: %w", cfg.Dir, err)
	}
	if err := setupApp(app, cfg); err != nil {
		_ = app.ResetBootstrapState()
		return nil, err
	}
	return app, nil
}

// setupApp registers the custom routes/hooks and seeds the data.
// The app must be bootstrapped.
func setupApp(app core.App, cfg Config) error {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		registerTokenRoutes(se)
		registerRecordCountRoute(se)
		return se.Next()
	})
	registerTokenCleanupHooks(app)
	registerMailCapture(app, app.DataDir())

	if err := app.RunAllMigrations(); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return seed(app, cfg)
}

// seed idempotently creates the accounts and the posts collection.
func seed(app core.App, cfg Config) error {
	for _, acc := range []Account{cfg.Superuser, cfg.User, cfg.Other} {
		if err := ensureAccount(app, acc); err != nil {
			return fmt.Errorf("seed %s %q: %w", acc.Collection, acc.Email, err)
		}
	}
	if err := ensurePostsCollection(app); err != nil {
		return fmt.Errorf("seed %s collection: %w", postsCollection, err)
	}
	return nil
}

func ensureAccount(app core.App, acc Account) error {
	collection, err := app.FindCollectionByNameOrId(acc.Collection)
	if err != nil {
		return err
	}

	record, err := app.FindAuthRecordByEmail(collection, acc.Email)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		record = core.NewRecord(collection)
		record.SetEmail(acc.Email)
		record.SetPassword(acc.Password)
	case err != nil:
		return err
	case record.ValidatePassword(acc.Password) && record.Verified():
		return nil // already as wanted; don't touch (keeps existing tokens valid)
	default:
		if !record.ValidatePassword(acc.Password) {
			record.SetPassword(acc.Password)
		}
	}
	record.SetVerified(true)
	return app.Save(record)
}

func ensurePostsCollection(app core.App) error {
	if _, err := app.FindCollectionByNameOrId(postsCollection); err == nil {
		return nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}

	c := core.NewBaseCollection(postsCollection)
	c.ListRule = types.Pointer("")
	c.ViewRule = types.Pointer("")
	c.Fields.Add(
		&core.TextField{Name: "title"},
		&core.TextField{Name: "body"},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	return app.Save(c)
}
