package batchnorm

// AffineChannel exposes affineChannel (rows rows of n floats, stride apart;
// p avx2 or avx512) to the path tests.
var AffineChannel = affineChannel
