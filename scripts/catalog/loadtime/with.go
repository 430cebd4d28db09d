//go:build !nocatalog

package main

import "whittle/engine"

func load() int { return engine.BuiltinCatalog().Info().Actions }
