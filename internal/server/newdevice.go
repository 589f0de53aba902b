package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/coffer-pm/coffer/internal/mail"
	"github.com/coffer-pm/coffer/internal/store"
)

// The new-device log-in notice (issue 27, docs/security.md 27.8). When
// the server sends mail, a log-in from a device the account has not used
// before is mailed to the account's address: what device, from where,
// when, and what to do if it was not them. A device is the random id its
// client keeps (api.LoginRequest.DeviceID), stored only as a keyed hash
// per account; a client that sends none is known by its name and client
// network (a coarser rule: a new network is a new device).
//
// The log-in never waits for any of it: it puts the log-in on a bounded
// queue and answers; one worker records the device and sends the mail,
// under a per-account budget shared across instances (27.3). A full
// queue drops the notice (logged), never the log-in.

const (
	deviceQueue                 = 256
	defaultDeviceMailPerAccount = 5
	deviceMailWindow            = 24 * time.Hour
	deviceMailTimeout           = time.Minute
)

type deviceLogin struct {
	acct     store.Account
	hash     []byte
	name     string
	addr     string
	at       time.Time
	deviceID bool // the client sent its device id
}

// deviceHash is the keyed hash that stands for the device in the store.
func (s *Server) deviceHash(userID, deviceID, name, addr string) ([]byte, bool) {
	m := hmac.New(sha256.New, s.deviceSecret)
	if validDeviceID(deviceID) {
		m.Write([]byte("id\x00" + userID + "\x00" + deviceID))
		return m.Sum(nil), true
	}
	m.Write([]byte("net\x00" + userID + "\x00" + name + "\x00" + networkKey(addr)))
	return m.Sum(nil), false
}

// validDeviceID: 16 to 64 characters of base64url (the clients send 22).
func validDeviceID(id string) bool {
	if len(id) < 16 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// noteDevice queues a log-in for the notice worker; it never blocks.
func (s *Server) noteDevice(acct store.Account, deviceID, name, addr string, at time.Time) {
	if s.cfg.Mailer == nil {
		return
	}
	h, byID := s.deviceHash(acct.ID, deviceID, name, addr)
	select {
	case s.devices <- deviceLogin{acct: acct, hash: h, name: name, addr: addr, at: at, deviceID: byID}:
	default:
		s.log.Warn("new-device notice dropped: queue full", "user", acct.ID)
	}
}

func (s *Server) startDeviceNotices() {
	s.devices = make(chan deviceLogin, deviceQueue)
	if s.cfg.Mailer == nil {
		return
	}
	go func() {
		for {
			select {
			case <-s.base.Done():
				return
			case d := <-s.devices:
				s.deviceNotice(d)
			}
		}
	}()
}

func (s *Server) deviceNotice(d deviceLogin) {
	ctx, cancel := context.WithTimeout(s.base, deviceMailTimeout)
	defer cancel()
	isNew, err := s.store.SeeDevice(ctx, d.acct.ID, d.hash, d.at)
	if err != nil {
		s.log.Warn("recording a log-in's device failed", "user", d.acct.ID, "err", err)
		return
	}
	if !isNew {
		return
	}
	if _, ok, _, err := s.deviceMail.reserve(ctx, d.acct.ID, d.at); err != nil || !ok {
		s.log.Warn("new-device notice not sent: the account's budget is used up or cannot be counted", "user", d.acct.ID, "err", err)
		return
	}
	subject, body := s.newDeviceMail(d)
	if err := s.cfg.Mailer.Send(ctx, mail.Message{To: d.acct.Email, Subject: subject, Text: body}); err != nil {
		s.log.Warn("new-device notice failed", "user", d.acct.ID, "err", err)
		return
	}
	s.log.Info("new-device notice sent", "user", d.acct.ID)
}

// newDeviceMail says what logged in, from where and when, and what to do
// if it was not the account's owner. No token, code or link but the
// configured public URL; the device name is the client's label.
func (s *Server) newDeviceMail(d deviceLogin) (string, string) {
	name := d.name
	if name == "" {
		name = "An unnamed device"
	}
	addr := d.addr
	if addr == "" {
		addr = "an unknown address"
	}
	return "New log-in to Coffer: " + name,
		fmt.Sprintf("New log-in to Coffer: %s from %s at %s.\n\n"+
			"Your account (%s) on the Coffer server at %s was logged in to from a device it had not used before.\n\n"+
			"If this was you, there is nothing to do.\n\n"+
			"If this was NOT you, someone knows your master password:\n"+
			"  1. Change your master password (Account → Security, or coffer account password --revoke-sessions).\n"+
			"  2. Sign the device out in Account → Devices (or coffer devices revoke ID).\n"+
			"  3. Turn on two-factor log-in (Account → Security), so a password alone no longer logs in.\n\n"+
			"Log in: %s\n\n"+
			"This e-mail carries no code and asks for nothing. Coffer never asks for your master password by e-mail.\n",
			name, addr, mailTime(d.at), d.acct.Email, s.cfg.PublicURL, s.publicLink("/", nil))
}
