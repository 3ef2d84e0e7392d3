//go:build race

package sgemm_test

// raceOn: the race detector is on, and sync.Pool drops items at random, so
// the allocation tests skip.
const raceOn = true
