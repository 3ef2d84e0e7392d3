// Package torchfile reads the files torch.save writes: the legacy format of
// PyTorch < 1.6 (what the authors' released .t7 checkpoints are) and the zip
// format of PyTorch ≥ 1.6. It returns the saved object as plain Go values,
// with every tensor copied to the host, and imports nothing but the
// standard library.
//
// # Formats
//
// Legacy (torch.save(..., _use_new_zipfile_serialization=False), and every
// file of PyTorch ≤ 1.5): five pickles back to back, then the raw storages.
//
//	pickle  the magic number 0x1950a86a20f9469cfc6c
//	pickle  the protocol version, 1001
//	pickle  sys_info: {protocol_version, little_endian, type_sizes}
//	pickle  the object; each storage is a persistent id
//	        ('storage', StorageClass, key, location, numel, view_metadata)
//	pickle  the storage keys, sorted
//	then for each of those keys: numel as int64 little-endian, then numel
//	elements of the storage's type, little-endian
//
// Zip (the default since 1.6): a stored (uncompressed) zip archive with one
// top-level folder P holding P/data.pkl, the object's pickle, whose storages
// are persistent ids ('storage', StorageClass, key, location, numel), and
// the storage bytes in P/data/<key>; P/byteorder, when present, says
// "little".
//
// A tensor is rebuilt from a storage by torch._utils._rebuild_tensor_v2
// (storage, offset, size, stride, requires_grad, hooks[, metadata]) and
// copied out of it, row-major, into a Tensor of F32 (floating storages) or
// I64 (integer and bool storages) elements. CUDA storages
// (torch.cuda.FloatStorage, location "cuda:0") read as host tensors: the
// bytes in the file are the same.
//
// # A pickle is a program: what this reader runs of it
//
// Unpickling a file with Python runs whatever callables the file names.
// This package runs nothing: it interprets only the opcodes a state dict
// needs (protocols 2 to 5: PROTO, FRAME, STOP, MARK, POP, POP_MARK, the
// None/bool/int/float/string/bytes constants, tuples, lists, dicts and
// their APPEND(S)/SETITEM(S), the memo, GLOBAL/STACK_GLOBAL, REDUCE, BUILD
// and BINPERSID) and knows a fixed list of classes:
//
//	collections.OrderedDict        REDUCE with () makes an empty Dict; a BUILD
//	                               on it (the state dict's _metadata) is dropped
//	torch._utils._rebuild_tensor_v2, _rebuild_tensor, _rebuild_parameter
//	                               REDUCE makes a Tensor
//	torch[.cuda].<T>Storage         only inside a persistent id (T: Float, Double,
//	                               Half, BFloat16, Long, Int, Short, Char, Byte, Bool)
//
// Any other opcode, class or use of a class is an error naming the file,
// the byte offset and what was found. (A general unpickler such as
// github.com/nlpodyssey/gopickle interprets every opcode, builds generic
// objects of classes it does not know, and in the version read allocates
// each counted string's length before checking that the bytes exist; this
// list of about forty opcodes is smaller than a wrapper fencing that in.)
//
// # Limits
//
// The reader treats the file as hostile. Every length read from it (a
// string, a storage, a zip entry) is checked against the bytes that are
// really there before anything is allocated, the pickle machine's stack and
// memo grow by at most one entry per opcode byte, and the tensors together
// hold at most one element per byte of the file (views that repeat a
// storage's elements more often than that are refused), so loading takes
// at most about 9× the file size in memory.
package torchfile
