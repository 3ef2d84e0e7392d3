package safetensors_test

import (
	"bytes"
	"testing"

	"twostage/nn/safetensors"
)

// resnet18Like is a checkpoint of ResNet18's size: 11.2M float32 parameters
// (~45 MB) in 62 tensors, plus an I64 counter per BatchNorm.
func resnet18Like() map[string]safetensors.Tensor {
	ts := map[string]safetensors.Tensor{}
	for i := range 62 {
		n := 11_200_000 / 62
		ts["layer."+string(rune('A'+i/26))+string(rune('a'+i%26))+".weight"] = safetensors.Tensor{DType: "F32", Shape: []int{n}, F32: make([]float32, n)}
		ts["layer."+string(rune('A'+i/26))+string(rune('a'+i%26))+".num_batches_tracked"] = safetensors.Tensor{DType: "I64", Shape: []int{}, I64: []int64{int64(i)}}
	}
	return ts
}

func BenchmarkWriteTo(b *testing.B) {
	ts := resnet18Like()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := safetensors.WriteTo(&buf, ts, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func BenchmarkReadFrom(b *testing.B) {
	data := writeBytes(b, resnet18Like(), nil)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := safetensors.ReadFrom(bytes.NewReader(data), int64(len(data)), "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
