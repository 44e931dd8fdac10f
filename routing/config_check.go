package routing

// Problems lists every problem of c that [New] would refuse, in the order
// New meets them: a negative drain grace, each invalid or duplicate
// touchpoint, each invalid or duplicate agent. New stops at the first;
// Problems goes on, so that a host (the Desk's own configuration check)
// can report them all at once. Each error is the one New would return,
// matching ErrInvalid or ErrDuplicate with errors.Is. None means New
// accepts c.
func (c Config) Problems() []error {
	var problems []error
	if c.DrainGrace < 0 {
		problems = append(problems, invalidf("negative drain grace %s", c.DrainGrace))
	}
	tps := make(map[string]bool, len(c.Policies))
	for _, tp := range c.Policies {
		if err := tp.validate(); err != nil {
			problems = append(problems, err)
			continue
		}
		if tps[tp.ID] {
			problems = append(problems, errorf(ErrDuplicate, "touchpoint %q", tp.ID))
		}
		tps[tp.ID] = true
	}
	agents := make(map[string]bool, len(c.Agents))
	for _, a := range c.Agents {
		if err := a.validate(); err != nil {
			problems = append(problems, err)
			continue
		}
		if agents[a.ID] {
			problems = append(problems, errorf(ErrDuplicate, "agent %q", a.ID))
		}
		agents[a.ID] = true
	}
	return problems
}
