package main

// BosBase's GET /api/collections/{collection}/records/count (§4 of
// docs/bosbase-protocol.md): the list endpoint's rules and filter, answering
// {"count": N}; with skipTotal=true the count is skipped and N is -1.

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
)

func registerRecordCountRoute(se *core.ServeEvent) {
	se.Router.GET("/api/collections/{collection}/records/count", recordsCountHandler)
}

func recordsCountHandler(e *core.RequestEvent) error {
	collection, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil || collection == nil {
		return e.NotFoundError("Missing collection context.", err)
	}

	requestInfo, err := e.RequestInfo()
	if err != nil {
		return firstApiError(err, e.BadRequestError("", err))
	}

	if collection.ListRule == nil && !requestInfo.HasSuperuserAuth() {
		return e.ForbiddenError("Only superusers can perform this action.", nil)
	}

	// the list endpoint's guard (PocketBase's checkForSuperuserOnlyRuleFields is unexported)
	if !requestInfo.HasSuperuserAuth() {
		filter := e.Request.URL.Query().Get(search.FilterQueryParam)
		for _, field := range []string{"@collection.", "@request."} {
			if strings.Contains(filter, field) {
				return e.ForbiddenError("Only superusers can filter by "+field, nil)
			}
		}
	}

	query := e.App.RecordQuery(collection)
	fieldsResolver := core.NewRecordFieldResolver(e.App, collection, requestInfo, true)
	if !requestInfo.HasSuperuserAuth() && collection.ListRule != nil && *collection.ListRule != "" {
		expr, err := search.FilterData(*collection.ListRule).BuildExpr(fieldsResolver)
		if err != nil {
			return err
		}
		query.AndWhere(expr)
	}
	fieldsResolver.SetAllowHiddenFields(requestInfo.HasSuperuserAuth())

	provider := search.NewProvider(fieldsResolver).Query(query)
	if !collection.IsView() {
		provider.CountCol("_rowid_")
	}

	// Only the filter and skipTotal matter; one row is enough to get the total.
	params := url.Values{}
	in := e.Request.URL.Query()
	if v := in.Get(search.FilterQueryParam); v != "" {
		params.Set(search.FilterQueryParam, v)
	}
	if v := in.Get(search.SkipTotalQueryParam); v != "" {
		params.Set(search.SkipTotalQueryParam, v)
	}
	params.Set(search.PerPageQueryParam, "1")

	records := []*core.Record{}
	result, err := provider.ParseAndExec(params.Encode(), &records)
	if err != nil {
		return firstApiError(err, e.BadRequestError("", err))
	}

	return e.JSON(http.StatusOK, map[string]int{"count": result.TotalItems})
}
