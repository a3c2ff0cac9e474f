package main

import (
	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/session"
)

func checker(env *app.Env) session.Checker {
	return session.ProberChecker{Prober: servers.New(servers.Options{Info: env.Info})}
}
