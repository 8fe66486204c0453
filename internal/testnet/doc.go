// Package testnet has the network stand-ins tests share: a listener of a
// server still starting, which drops its first connections unanswered.
package testnet
