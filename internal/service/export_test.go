package service

// HoldRecomputation makes s behave as though a recomputation of deadlines were running on its node
// until release is called.
func HoldRecomputation(s *Service) (release func()) {
	s.recomputing <- struct{}{}
	return func() { <-s.recomputing }
}
