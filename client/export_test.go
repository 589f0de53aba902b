package client

// ObservePlaintext lets tests see every decrypted item content.
func ObservePlaintext(fn func(Content)) { observePlaintext = fn }
