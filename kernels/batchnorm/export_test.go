package batchnorm

// AffineChannel exposes affineChannel (rows rows of n floats, stride apart;
// p avx2 or avx512) to the path tests.
var AffineChannel = affineChannel

// BNGradv and BNChannelGrad expose bnGradv and bnChannelGrad, and the
// flags BNCentre, BNSetDX and BNSetDR, to the path tests.
var (
	BNGradv       = bnGradv
	BNChannelGrad = bnChannelGrad
)

const (
	BNCentre = bnCentre
	BNSetDX  = bnSetDX
	BNSetDR  = bnSetDR
)

// SetImageMajor switches the image-order passes of the big channels on or
// off; it returns a function restoring the previous setting.
func SetImageMajor(on bool) (restore func()) {
	old := imageMajor
	imageMajor = on
	return func() { imageMajor = old }
}
