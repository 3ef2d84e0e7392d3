//go:build !amd64 || noasm

package sgemm

// hardware is go where there is no assembly.
const hardware = Go
