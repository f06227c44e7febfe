package main

import "fmt"

// outputJSON reads an --output flag of the client commands: text (the default, also
// when empty) or json.
func outputJSON(output string) (bool, error) {
	switch output {
	case "text", "":
		return false, nil
	case "json":
		return true, nil
	}
	return false, fmt.Errorf("--output %q: want text or json", output)
}
