package main

import (
	"time"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/session"
)

func checker(env *app.Env, timeout time.Duration) session.Checker {
	return session.ProberChecker{Prober: servers.New(servers.Options{Info: env.Info, Timeout: timeout})}
}
