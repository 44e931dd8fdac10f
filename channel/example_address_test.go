package channel_test

import (
	"errors"
	"fmt"

	"github.com/parleyhq/parley/channel"
)

func ExampleParseAddress() {
	a, err := channel.ParseAddress("sms:+1 (415) 555-0100")
	fmt.Println(a, a.Kind, a.ID, err)

	b, _ := channel.ParseAddress("email:Ana@Example.COM")
	fmt.Println(b)

	_, err = channel.ParseAddress("whatsapp:555-0100")
	fmt.Println(errors.Is(err, channel.ErrInvalidPhoneNumber))
	// Output:
	// sms:+14155550100 sms +14155550100 <nil>
	// email:Ana@example.com
	// true
}

func ExampleNewPhoneAddress() {
	a, _ := channel.NewPhoneAddress(channel.WhatsApp, "(11) 98765-4321", "BR")
	fmt.Println(a)
	// Output: whatsapp:+5511987654321
}
