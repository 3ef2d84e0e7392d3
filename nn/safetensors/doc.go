// Package safetensors reads and writes checkpoint files in the Hugging Face
// safetensors format, the format PyTorch's safetensors library writes with
// safetensors.torch.save_file. It is the file layer under nn's model
// checkpoints and imports nothing but the standard library.
//
// # File layout
//
//	offset 0      uint64, little-endian: N, the length of the JSON header in bytes
//	offset 8      N bytes of UTF-8 JSON: one object (the header)
//	offset 8+N    the data section: raw little-endian, row-major tensor bytes
//
// The header maps each tensor name to its entry, plus one optional reserved key
// "__metadata__" whose value is an object of string → string:
//
//	{"__metadata__":{"format":"pt"},
//	 "fc.bias":{"dtype":"F32","shape":[10],"data_offsets":[0,40]},
//	 "fc.weight":{"dtype":"F32","shape":[10,512],"data_offsets":[40,20520]}}
//
// data_offsets [begin, end) are byte offsets relative to the start of the data
// section (byte 8+N of the file), so a tensor occupies file bytes
// [8+N+begin, 8+N+end). A shape [] is a scalar (one element); a shape with a 0
// is an empty tensor whose offsets are [k, k]. The header may end in trailing
// spaces: the reference writer pads it with ' ' until N is a multiple of 8, so
// that the data section, and every tensor in it, stays aligned.
//
// The spec forbids holes: sorted by offset, the tensors must tile the data
// section exactly, from 0 to its end, with no gap, overlap or trailing byte.
// Each range must hold exactly numel·size(dtype) bytes.
//
// # Data types
//
//	dtype  bytes  read as
//	F64    8      F32 (rounded to nearest)
//	F32    4      F32 (bit-exact)
//	F16    2      F32 (exact: IEEE binary16 ⊂ binary32)
//	BF16   2      F32 (exact: the top 16 bits of a float32)
//	I64    8      I64
//	I32    4      I64 (sign-extended)
//	I16    2      I64 (sign-extended)
//	I8     1      I64 (sign-extended)
//	U32    4      I64
//	U16    2      I64
//	U8     1      I64
//	BOOL   1      I64 (0 or 1; any other byte is an error)
//
// So weights that PyTorch saved in half precision, or buffers such as
// BatchNorm's num_batches_tracked (I64), load into the engine's two element
// types. Tensor.FileDType records the dtype the file held. Other safetensors
// dtypes (U64, the F8 formats) are rejected with an error naming them.
//
// # Writing
//
// Write emits F32 and I64 only, in the reference writer's order: tensors sorted
// by descending dtype alignment (I64 before F32), then by name, with the header
// entries in that same order, "__metadata__" first with its keys sorted, and the
// header compact and padded with spaces to a multiple of 8. The output is thus
// deterministic, and byte-identical to what the reference writer produces for
// the same tensors and (single-key or empty) metadata. Write is atomic: it
// writes a temporary file in the target's directory, fsyncs it, renames it over
// the target and fsyncs the directory, so a crash or an error leaves either the
// old file or the new one, never a mix.
//
// # Reading
//
// Read treats the file as hostile: every number in the header is checked
// against the file size before anything is allocated from it, so a lying
// header costs an error, never a panic or a huge allocation. The header itself
// is at most 100 MB (the reference limit), and the tensors together take at
// most 8× the file size in memory (U8 and BOOL widen 8× into int64). Errors
// name the file and, where there is one, the tensor.
package safetensors
