//go:build !race

package sgemm_test

// raceOn: see race_on_test.go.
const raceOn = false
