// Package finetune is the semi-supervised experiment of the paper's Table 4
// (§4.4, supplementary §B): an encoder, started from a stage-1 or stage-2
// checkpoint or from scratch, with a linear classifier on its pooled trunk
// feature, fine-tuned as a whole on a few labelled images by one of three
// methods:
//
//	supervised   cross-entropy on the labelled images only
//	pi           the Π-model (Laine & Aila 2017): CE on the labelled images +
//	             w(t)·MSE(softmax(f(x̃₁)), softmax(f(x̃₂))) over every image
//	             of the batch, two stochastic passes of the same network
//	meanteacher  Mean Teacher (Tarvainen & Valpola 2017): CE on the labelled
//	             images + w(t)·MSE(softmax(student(x̃₁)), softmax(teacher(x̃₂))),
//	             the teacher the exponential moving average of the student
//
// A batch mixes LabeledBatch labelled images (drawn from an endless
// reshuffled stream of the labelled set) with BatchSize−LabeledBatch images
// of the whole training set (one pass per epoch), as the Mean Teacher code's
// TwoStreamBatchSampler; the unlabelled images are all the training images.
// The files: config.go (flags, presets), labels.go (the seeded balanced
// choice of labelled images and labels.csv), loss.go (CE, the consistency
// loss, the ramp-up, the EMA), model.go (encoder + classifier), train.go
// (the step and the epoch), eval.go (test accuracy), checkpoint.go.
package finetune
