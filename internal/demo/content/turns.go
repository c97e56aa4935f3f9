package content

// turns builds the conversation that led the request to status. The rules
// the tests check: a new request has no staff turns; a waiting one ends
// with a staff question; a forwarded one says «передано»; resolved and
// closed ones contain a staff answer, and a resolved one ends with it.
func (g *Generator) turns(status, ch string) []Turn {
	r := &g.r
	t := make([]Turn, 0, 5)
	switch status {
	case "new":
		if r.chance(25) {
			t = append(t, g.citizen(pick(r, nudges.list(g.cat.tech))))
		}
	case "in_progress":
		switch r.intn(4) {
		case 0:
			t = append(t, g.staff(ch, tmpl{}, g.ack()))
		case 1:
			t = append(t, g.note(), g.staff(ch, tmpl{}, g.ack()))
		case 2:
			t = append(t, g.staff(ch, tmpl{}, g.ack()), g.citizen(g.replyText()), g.note())
		default:
			t = append(t, g.staff(ch, tmpl{}, g.ack()), g.note())
		}
	case "waiting":
		switch r.intn(4) {
		case 0:
			t = append(t, g.staff(ch, tmpl{}, g.question(-1)))
		case 1:
			t = append(t, g.staff(ch, tmpl{}, g.ack()), g.staff(ch, tmpl{}, g.question(-1)))
		case 2:
			t = append(t, g.note(), g.staff(ch, tmpl{}, g.question(-1)))
		default:
			t = append(t, g.staff(ch, tmpl{}, g.question(-1)), g.citizen(g.replyText()))
			t = append(t, g.staff(ch, pick(r, questionLeads), g.question(g.lastQuestion)))
		}
	case "forwarded":
		switch r.intn(4) {
		case 0:
			t = append(t, g.staff(ch, tmpl{}, pick(r, g.cat.forwards)))
		case 1:
			t = append(t, g.staff(ch, tmpl{}, g.ack()), g.note(), g.staff(ch, tmpl{}, pick(r, g.cat.forwards)))
		case 2:
			t = append(t, g.staff(ch, tmpl{}, g.question(-1)), g.citizen(g.replyText()), g.staff(ch, tmpl{}, pick(r, g.cat.forwards)))
		default:
			t = append(t, g.staff(ch, tmpl{}, pick(r, g.cat.forwards)), g.citizen(pick(r, waitingNudges)),
				g.staff(ch, tmpl{}, pick(r, forwardReminders)))
		}
	case "resolved":
		t = g.resolution(t, ch)
	case "closed":
		if r.chance(8) {
			return append(t, g.staff(ch, tmpl{}, g.question(-1)), g.staff(ch, tmpl{}, pick(r, autoClosings)))
		}
		t = g.resolution(t, ch)
		switch x := r.intn(100); {
		case x < 30:
		case x < 65:
			t = append(t, g.citizen(g.thanks()))
		case x < 80:
			t = append(t, g.citizen(g.thanks()), g.staff(ch, tmpl{}, pick(r, staffClosings)))
		default:
			t = append(t, g.staff(ch, tmpl{}, pick(r, staffClosings)))
		}
	}
	return t
}

// resolution appends the way to an answer and the answer itself.
func (g *Generator) resolution(t []Turn, ch string) []Turn {
	r := &g.r
	answer := pick(r, g.top.answers)
	switch r.intn(5) {
	case 0:
		return append(t, g.staff(ch, tmpl{}, answer))
	case 1:
		return append(t, g.staff(ch, tmpl{}, g.ack()), g.staff(ch, tmpl{}, answer))
	case 2:
		return append(t, g.staff(ch, tmpl{}, g.question(-1)), g.citizen(g.replyText()), g.staff(ch, tmpl{}, answer))
	case 3:
		return append(t, g.note(), g.staff(ch, tmpl{}, answer))
	}
	if g.top.agencyAnswer {
		return append(t, g.staff(ch, tmpl{}, pick(r, g.cat.forwards)), g.staff(ch, pick(r, agencyAnswered), answer))
	}
	return append(t, g.staff(ch, tmpl{}, g.ack()), g.note(), g.staff(ch, tmpl{}, answer))
}

// staff renders a public staff message: greeting, the optional lead and
// the text, and in a letter a signature.
func (g *Generator) staff(ch string, lead, text tmpl) Turn {
	b := g.appendHello(g.tmp[:0])
	if chatty(ch) {
		b = append(b, ' ')
	} else {
		b = append(b, "\n\n"...)
	}
	if !lead.empty() {
		b = g.render(b, lead)
	}
	b = g.render(b, text)
	if !chatty(ch) {
		b = append(b, "\n\n"...)
		b = append(b, g.slot(slotSignStaff)...)
	}
	g.tmp = b
	return Turn{Staff: true, Body: string(b)}
}

// citizen renders a message from the requester.
func (g *Generator) citizen(text tmpl) Turn {
	return Turn{Body: g.renderString(text)}
}

// note renders an internal note: the topic's or category's own, or a
// common one, never one about something the request does not mention.
func (g *Generator) note() Turn {
	t := tmpl{}
	if g.r.chance(75) {
		t = g.pickFit(g.own(g.top.notes, g.cat.notes))
	}
	if t.empty() && g.cat.tech && len(g.top.notes) == 0 {
		t = g.pickFit(techNotes)
	}
	if t.empty() {
		t = g.pickFit(genericNotes)
	}
	if t.empty() {
		t = genericNotes[0]
	}
	return Turn{Staff: true, Internal: true, Body: g.renderString(t)}
}

// question chooses a staff question other than the one numbered not;
// the chosen number is kept in g.lastQuestion.
func (g *Generator) question(not int) tmpl {
	r := &g.r
	own := g.own(g.top.questions, g.cat.questions)
	nc := len(own)
	n := nc
	if g.cat.tech && len(g.top.questions) == 0 {
		// Questions about an error make sense only for technical problems.
		n += len(genericQuestions)
	}
	var i int
	if n == nc || r.chance(70) {
		i = r.intn(nc)
	} else {
		i = nc + r.intn(len(genericQuestions))
	}
	if i == not {
		i = (i + 1) % n
	}
	g.lastQuestion = i
	if i < nc {
		return own[i]
	}
	return genericQuestions[i-nc]
}

// replyText chooses the citizen's answer to a staff question.
func (g *Generator) replyText() tmpl {
	r := &g.r
	if len(g.top.replies) > 0 {
		return pick(r, g.top.replies)
	}
	if len(g.cat.replies) > 0 && (!g.cat.tech || r.chance(80)) {
		return pick(r, g.cat.replies)
	}
	return pick(r, genericReplies)
}

// thanks chooses the citizen's thanks for an answer.
func (g *Generator) thanks() tmpl {
	r := &g.r
	if g.cat.tech && r.chance(50) {
		return pick(r, thanksTech)
	}
	return pick(r, thanks)
}

// ack chooses an acknowledgement that suits the category.
func (g *Generator) ack() tmpl {
	if len(g.cat.acks) > 0 {
		return pick(&g.r, g.cat.acks)
	}
	if g.cat.tech {
		return pick(&g.r, acks)
	}
	return pick(&g.r, acks[:len(acks)-1])
}
