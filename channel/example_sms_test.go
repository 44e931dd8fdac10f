package channel_test

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/channel"
)

func ExampleCountSMS() {
	fmt.Println(channel.CountSMS("Your code is 4521"))
	fmt.Println(channel.CountSMS("Price: 12€ {incl. VAT}")) // € { } cost 2 septets
	fmt.Println(channel.CountSMS("Olá 👋"))                  // á is not GSM-7; 👋 is 2 units
	fmt.Println(channel.CountSMS(strings.Repeat("a", 161))) // 153 + 8
	// Output:
	// {GSM-7 1 17}
	// {GSM-7 1 25}
	// {UCS-2 1 6}
	// {GSM-7 2 161}
}

func ExampleSplitSMS() {
	// An emoji that would straddle units 67 and 68 moves to the next part.
	text := strings.Repeat("ж", 66) + "🙂" + "okay"
	for _, p := range channel.SplitSMS(text) {
		fmt.Println(len([]rune(p)), strings.HasPrefix(p, "🙂"))
	}
	// Output:
	// 66 false
	// 5 true
}
