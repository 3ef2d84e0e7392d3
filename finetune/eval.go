package finetune

import (
	"twostage/autograd"
	"twostage/data"
	"twostage/tensor"
)

// Accuracy is the fraction of the labelled images of ds (label ≥ 0) that m
// classifies right, in evaluation mode (BN running statistics) under the
// test transform, 100 images at a time, with no graph. It returns NaN when
// ds has no labels. Call it outside any backend scope.
func (t *Trainer) Accuracy(m *Model, ds *data.Dataset) float64 {
	right, n := 0, 0
	for b := range data.EvalBatches(ds, 100, t.size) {
		t.BE.BeginScope()
		autograd.NoGrad(func() {
			x := tensor.FromFloat32(t.BE, tensor.Shape{b.N, ds.C, t.size, t.size}, b.View1[:b.N*ds.C*t.size*t.size])
			pred := autograd.Argmax(m.Forward(autograd.Const(x), false).Val).Int64s()
			for i, p := range pred {
				if y := b.Labels[i]; y >= 0 {
					n++
					if int(p) == y {
						right++
					}
				}
			}
		})
		t.BE.EndScope()
	}
	if n == 0 {
		return nan()
	}
	return float64(right) / float64(n)
}

// Scores is the test accuracy of the run's result: the student's and, for
// meanteacher, the teacher's, which is then the result (Tarvainen &
// Valpola report the teacher).
type Scores struct {
	Student, Teacher float64 // Teacher NaN without a teacher
}

// Result is the accuracy the run reports: the teacher's for meanteacher, the
// student's otherwise.
func (s Scores) Result() float64 {
	if s.Teacher == s.Teacher { // not NaN
		return s.Teacher
	}
	return s.Student
}

// Evaluate scores the student (and teacher) on ds.
func (t *Trainer) Evaluate(ds *data.Dataset) Scores {
	s := Scores{Student: t.Accuracy(t.Student, ds), Teacher: nan()}
	if t.Teacher != nil {
		s.Teacher = t.Accuracy(t.Teacher, ds)
	}
	return s
}
