package template_test

import (
	"errors"
	"fmt"

	"github.com/parleyhq/parley/template"
)

func ExampleWhatsApp() {
	lang, _ := template.ParseLanguageCode("pt_BR")
	status, _ := template.ParseStatus("APPROVED")
	w := template.WhatsApp{
		Name:     "pedido_enviado",
		Language: lang,
		Category: template.Utility,
		Status:   status,
		Body:     "Olá {{1}}, seu pedido {{2}} foi enviado. Obrigado!",
	}
	if err := w.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	text, err := w.RenderPositional("Ana", "A-1042")
	fmt.Println(text, err)
	fmt.Println("outside the window:", w.Charge(false))
	fmt.Println("inside the window:", w.Charge(true))

	// A paused template may not be sent.
	w.Status = template.Paused
	_, err = w.RenderPositional("Ana", "A-1042")
	fmt.Println(errors.Is(err, template.ErrTemplateNotApproved), err)

	// Meta's rules are checked before submission.
	bad := template.WhatsApp{Name: "promo", Language: lang, Category: template.Marketing, Status: template.Pending,
		Body: "{{1}} {{2}} off everything today!"}
	fmt.Println(bad.Validate())
	// Output:
	// Olá Ana, seu pedido A-1042 foi enviado. Obrigado! <nil>
	// outside the window: utility, charged per delivered message
	// inside the window: utility, free
	// true template: whatsapp template "pedido_enviado" is paused, not approved
	// template: invalid whatsapp template "promo": adjacent parameters: "{{2}}" follows another parameter with no text between; parameter at edge: the body may not start or end with a parameter
}
