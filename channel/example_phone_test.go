package channel_test

import (
	"fmt"

	"github.com/parleyhq/parley/channel"
)

func ExampleWhatsAppLink() {
	link, err := channel.WhatsAppLink("+1 (415) 555-0100")
	fmt.Println(link, err)
	_, err = channel.WhatsAppLink("555-0100")
	fmt.Println(err != nil)
	// Output:
	// https://wa.me/14155550100 <nil>
	// true
}

func ExampleWhatsAppBlocked() {
	fmt.Println(channel.WhatsAppBlocked("+5352123456"))  // Cuba
	fmt.Println(channel.WhatsAppBlocked("+79781234567")) // Crimea
	fmt.Println(channel.WhatsAppBlocked("+14155550100"))
	// Output:
	// true
	// true
	// false
}

func ExampleValidateAttachments() {
	err := channel.ValidateAttachments(channel.Email, "", "", []channel.Attachment{
		{Name: "invoice.pdf", Size: 20 * channel.MB},
		{Name: "photos.zip", Size: 1 * channel.MB},
	})
	fmt.Println(err)
	// Output: channel: email: attachment "photos.zip": type "" (extension ".zip") not allowed
}
