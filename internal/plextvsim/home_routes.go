package plextvsim

import "net/http"

// homeRoutes adds the Plex Home endpoints and their control API.
func (s *Sim) homeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v2/home/users", s.api(EndpointHomeUsers, s.listHomeUsers))
	mux.HandleFunc("POST /api/v2/home/users/{uuid}/switch", s.api(EndpointSwitch, s.switchHomeUser))

	mux.HandleFunc("GET /_sim/home", func(w http.ResponseWriter, r *http.Request) {
		homes := s.Homes()
		if homes == nil {
			homes = []Home{}
		}
		writeCtl(w, http.StatusOK, homes)
	})
	mux.HandleFunc("POST /_sim/home", func(w http.ResponseWriter, r *http.Request) {
		var spec HomeSpec
		if !readCtl(w, r, &spec) {
			return
		}
		h, err := s.AddHome(spec)
		if err != nil {
			ctlError(w, http.StatusBadRequest, err)
			return
		}
		writeCtl(w, http.StatusOK, h)
	})
	mux.HandleFunc("POST /_sim/home/token", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ UUID string }
		if !readCtl(w, r, &in) {
			return
		}
		tok, err := s.ProfileToken(in.UUID)
		if err != nil {
			ctlError(w, http.StatusNotFound, err)
			return
		}
		writeCtl(w, http.StatusOK, map[string]string{"token": tok})
	})
}
