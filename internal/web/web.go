// Package web serves Otklik's server-rendered pages. Until the staff workspace and the citizen portal
// arrive, it serves the start page: what runs on this node and where the API is documented.
package web

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// templates are parsed once at start; a broken template fails the start, not a request.
var templates = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// Info is what the start page shows about the node.
type Info struct {
	Version string
	Engine  string
	Support string
}

// Handler serves the web pages.
func Handler(info Info, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := templates.ExecuteTemplate(w, "home.html", info); err != nil {
			log.Error("render home", "error", err)
		}
	})
	mux.Handle("GET /static/", http.FileServerFS(staticFiles))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_ = templates.ExecuteTemplate(w, "notfound.html", info)
	})
	return mux
}
