package main

import (
	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/session"
)

func checker(env *app.Env) session.Checker { return nil }
