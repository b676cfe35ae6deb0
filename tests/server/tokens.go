package main

// BosBase custom-token endpoints (bind-token / unbind-token / auth-with-token)
// re-implemented on top of upstream PocketBase, following §3 of
// docs/bosbase-protocol.md.

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/go-ozzo/ozzo-validation/v4/is"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"
)

const (
	tokenBindingsTable = "_token_bindings"

	// requestInfoContextToken is what rules see as @request.context during auth-with-token.
	requestInfoContextToken = "token"

	// authMethodToken is the MFA/login-alert auth method name of auth-with-token.
	authMethodToken = "token"

	msgLoadFailed       = "An error occurred while loading the submitted data."
	msgValidationFailed = "An error occurred while validating the submitted data."
	msgBindFailed       = "Failed to bind token."
	msgUnbindFailed     = "Failed to unbind token."
	msgAuthFailed       = "Failed to authenticate."
	msgNoPasswordAuth   = "The collection is not configured to allow password authentication."
)

// registerTokenRoutes adds the three custom-token routes to the serve router.
func registerTokenRoutes(se *core.ServeEvent) {
	sub := se.Router.Group("/api/collections/{collection}")
	sub.POST("/bind-token", bindTokenHandler).Bind(collectionRateLimit("bindToken", "auth"))
	sub.POST("/unbind-token", unbindTokenHandler).Bind(collectionRateLimit("unbindToken", "auth"))
	sub.POST("/auth-with-token", authWithTokenHandler).Bind(collectionRateLimit("authWithToken", "auth"))
}

// -------------------------------------------------------------------
// forms

type credentialsForm struct {
	Email    string `form:"email" json:"email"`
	Password string `form:"password" json:"password"`
	Token    string `form:"token" json:"token"`
}

func (f *credentialsForm) validate() error {
	// ozzo Length counts bytes (not runes); for each field only the first
	// failing rule is reported (required -> length -> email format).
	return validation.ValidateStruct(f,
		validation.Field(&f.Email, validation.Required, validation.Length(1, 255), is.EmailFormat),
		validation.Field(&f.Password, validation.Required, validation.Length(1, 255)),
		validation.Field(&f.Token, validation.Required, validation.Length(1, 1024)),
	)
}

type tokenForm struct {
	Token string `form:"token" json:"token"`
}

func (f *tokenForm) validate() error {
	return validation.ValidateStruct(f,
		validation.Field(&f.Token, validation.Required, validation.Length(1, 1024)),
	)
}

// -------------------------------------------------------------------
// handlers

func findAuthCollection(e *core.RequestEvent) (*core.Collection, error) {
	collection, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil || !collection.IsAuth() {
		return nil, e.NotFoundError("Missing or invalid auth collection context.", err)
	}
	return collection, nil
}

// firstApiError returns err if it is (or wraps) a *router.ApiError, otherwise fallback.
func firstApiError(err error, fallback *router.ApiError) *router.ApiError {
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return fallback
}

// bindBody reads the request body (json, multipart, urlencoded, xml) into dst.
// Malformed data and unsupported content types give the generic 400 load
// error (PocketBase's own "Unsupported Content-Type." ApiError is replaced, as
// in BosBase); other ApiErrors (e.g. 413 from the body limit) pass through.
func bindBody(e *core.RequestEvent, dst any) error {
	err := e.BindBody(dst)
	if err == nil {
		return nil
	}
	if errors.Is(err, router.ErrUnsupportedContentType) {
		return e.BadRequestError(msgLoadFailed, err)
	}
	return firstApiError(err, e.BadRequestError(msgLoadFailed, err))
}

// loadCredentials runs steps 2-6 of bind/unbind (§3) and returns the owner record.
func loadCredentials(e *core.RequestEvent, failMsg string) (*core.Collection, *core.Record, string, error) {
	collection, err := findAuthCollection(e)
	if err != nil {
		return nil, nil, "", err
	}

	// checked before the body is read
	if !collection.PasswordAuth.Enabled {
		return nil, nil, "", e.ForbiddenError(msgNoPasswordAuth, nil)
	}

	form := &credentialsForm{}
	if err := bindBody(e, form); err != nil {
		return nil, nil, "", err
	}
	if err := form.validate(); err != nil {
		return nil, nil, "", firstApiError(err, e.BadRequestError(msgValidationFailed, err))
	}

	// email only (never username/other identity fields)
	record, err := e.App.FindAuthRecordByEmail(collection, form.Email)
	if err != nil || !record.ValidatePassword(form.Password) {
		return nil, nil, "", e.BadRequestError(failMsg, errors.New("invalid credentials"))
	}

	return collection, record, form.Token, nil
}

func bindTokenHandler(e *core.RequestEvent) error {
	collection, record, token, err := loadCredentials(e, msgBindFailed)
	if err != nil {
		return err
	}

	if err := bindToken(e.App, collection.Id, record.Id, token); err != nil {
		return e.InternalServerError(msgBindFailed, err)
	}

	return e.NoContent(http.StatusNoContent)
}

func unbindTokenHandler(e *core.RequestEvent) error {
	collection, record, token, err := loadCredentials(e, msgUnbindFailed)
	if err != nil {
		return err
	}

	if err := unbindToken(e.App, collection.Id, record.Id, token); err != nil {
		return e.InternalServerError(msgUnbindFailed, err)
	}

	return e.NoContent(http.StatusNoContent)
}

func authWithTokenHandler(e *core.RequestEvent) error {
	collection, err := findAuthCollection(e)
	if err != nil {
		return err
	}
	// NB! no passwordAuth.enabled check here (login by token works without it)

	form := &tokenForm{}
	if err := bindBody(e, form); err != nil {
		return err
	}
	if err := form.validate(); err != nil {
		return firstApiError(err, e.BadRequestError(msgValidationFailed, err))
	}

	recordId, err := findBoundRecordId(e.App, collection.Id, form.Token)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return e.BadRequestError(msgAuthFailed, err)
		}
		return e.InternalServerError(msgAuthFailed, err)
	}

	record, err := e.App.FindRecordById(collection, recordId)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return e.BadRequestError(msgAuthFailed, err)
		}
		return e.InternalServerError(msgAuthFailed, err)
	}

	e.Set(core.RequestEventKeyInfoContext, requestInfoContextToken)

	// authRule (403), MFA (401 {"mfaId"} / second factor via ?mfaId= or body "mfaId"),
	// login alerts and the {record, token} response are all PocketBase's own.
	return apis.RecordAuthResponse(e, record, authMethodToken, nil)
}

// -------------------------------------------------------------------
// storage

// hashToken returns the lowercase hex SHA-256 of the raw token bytes.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func ensureTokenBindingsTable(txApp core.App) error {
	_, err := txApp.DB().NewQuery(`
		CREATE TABLE IF NOT EXISTS {{` + tokenBindingsTable + `}} (
			[[id]]            TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL,
			[[collectionRef]] TEXT NOT NULL,
			[[recordRef]]     TEXT NOT NULL,
			[[tokenHash]]     TEXT NOT NULL,
			[[created]]       TEXT DEFAULT '' NOT NULL,
			[[updated]]       TEXT DEFAULT '' NOT NULL
		);
		CREATE UNIQUE INDEX IF NOT EXISTS idx__token_bindings_token ON {{` + tokenBindingsTable + `}} ([[collectionRef]], [[tokenHash]]);
		CREATE INDEX IF NOT EXISTS idx__token_bindings_record ON {{` + tokenBindingsTable + `}} ([[collectionRef]], [[recordRef]]);
	`).Execute()
	return err
}

// bindToken upserts a binding; the table is created in the same transaction
// so that it only comes into existence with the first successful bind.
// Another record of the same collection binding the same token takes it over.
func bindToken(app core.App, collectionId, recordId, token string) error {
	return app.RunInTransaction(func(txApp core.App) error {
		if err := ensureTokenBindingsTable(txApp); err != nil {
			return fmt.Errorf("create %s: %w", tokenBindingsTable, err)
		}

		now := types.NowDateTime().String()
		_, err := txApp.DB().NewQuery(`
			INSERT INTO {{` + tokenBindingsTable + `}} ([[collectionRef]], [[recordRef]], [[tokenHash]], [[created]], [[updated]])
			VALUES ({:collectionRef}, {:recordRef}, {:tokenHash}, {:now}, {:now})
			ON CONFLICT ([[collectionRef]], [[tokenHash]]) DO UPDATE SET
				[[recordRef]] = excluded.[[recordRef]],
				[[updated]] = excluded.[[updated]]
		`).Bind(dbx.Params{
			"collectionRef": collectionId,
			"recordRef":     recordId,
			"tokenHash":     hashToken(token),
			"now":           now,
		}).Execute()
		return err
	})
}

// unbindToken removes the binding only if it belongs to recordId; a missing
// binding (or table) is not an error.
func unbindToken(app core.App, collectionId, recordId, token string) error {
	if !app.HasTable(tokenBindingsTable) {
		return nil
	}
	_, err := app.DB().Delete(tokenBindingsTable, dbx.HashExp{
		"collectionRef": collectionId,
		"recordRef":     recordId,
		"tokenHash":     hashToken(token),
	}).Execute()
	return err
}

// findBoundRecordId returns sql.ErrNoRows when the token is not bound in the
// collection or the bindings table does not exist yet.
func findBoundRecordId(app core.App, collectionId, token string) (string, error) {
	if !app.HasTable(tokenBindingsTable) {
		return "", sql.ErrNoRows
	}
	var recordId string
	err := app.DB().Select("recordRef").
		From(tokenBindingsTable).
		Where(dbx.HashExp{"collectionRef": collectionId, "tokenHash": hashToken(token)}).
		Limit(1).
		Row(&recordId)
	return recordId, err
}

// registerTokenCleanupHooks removes bindings of deleted auth records and
// deleted collections (failures are only logged).
func registerTokenCleanupHooks(app core.App) {
	app.OnRecordAfterDeleteSuccess().BindFunc(func(e *core.RecordEvent) error {
		if e.Record.Collection().IsAuth() && e.App.HasTable(tokenBindingsTable) {
			_, err := e.App.DB().Delete(tokenBindingsTable, dbx.HashExp{
				"collectionRef": e.Record.Collection().Id,
				"recordRef":     e.Record.Id,
			}).Execute()
			if err != nil {
				e.App.Logger().Warn("Failed to delete token bindings of deleted record",
					"error", err, "recordId", e.Record.Id)
			}
		}
		return e.Next()
	})

	app.OnCollectionAfterDeleteSuccess().BindFunc(func(e *core.CollectionEvent) error {
		if e.App.HasTable(tokenBindingsTable) {
			_, err := e.App.DB().Delete(tokenBindingsTable, dbx.HashExp{
				"collectionRef": e.Collection.Id,
			}).Execute()
			if err != nil {
				e.App.Logger().Warn("Failed to delete token bindings of deleted collection",
					"error", err, "collectionId", e.Collection.Id)
			}
		}
		return e.Next()
	})
}
