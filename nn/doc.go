// Package nn holds the layers (Conv2d, BatchNorm2d, Linear), the CIFAR
// ResNet18 towers and the two-tower encoder with the Sobel branch of the
// reference (ResNet18withSobel), the WideResNet-28-2 of the semi-supervised
// literature as the other encoder trunk (wrn.go; network.go names the two,
// --network resnet18|wrn28_2), the SGD optimiser and learning-rate
// schedule, and checkpoints, which record the network (PutEncoder) so that
// one is never loaded as the other.
//
// Parameter and buffer names are PyTorch's state_dict names
// ("layer2.0.shortcut.0.weight", "bn1_sobel.running_var", ...), so weights
// move between this engine and PyTorch through safetensors files. The
// authors' own torch.save checkpoints (.t7) load too (torch.go, LoadTorch,
// on the pickle reader nn/torchfile), their fixed Sobel filters checked
// against ours (Checkpoint.GetEncoder).
//
// Layers take the training mode as an explicit argument of Forward; a
// training-mode BatchNorm2d updates its running statistics as PyTorch does
// (momentum 0.1, unbiased running variance).
package nn
