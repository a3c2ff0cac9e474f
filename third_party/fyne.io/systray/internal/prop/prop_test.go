package prop

import (
	"reflect"
	"testing"
)

type px struct {
	W, H int32
	Pix  []byte
}

// A value Get handed out is never written again: set stores a new value
// into a fresh variable, not into the array a reply may still encode.
func TestSetNeverWritesWhatGetHandedOut(t *testing.T) {
	old := []px{{W: 1, H: 1, Pix: []byte{1}}}
	val := reflect.New(reflect.TypeOf(old))
	val.Elem().Set(reflect.ValueOf(old))
	p := &Properties{m: Map{"i": {"IconPixmap": &Prop{Value: val.Interface(), Emit: EmitFalse}}}}
	got, derr := p.Get("i", "IconPixmap")
	if derr != nil {
		t.Fatal(derr)
	}
	handed := got.Value().([]px)
	p.SetMust("i", "IconPixmap", []px{{W: 2, H: 2, Pix: []byte{2, 2, 2, 2}}})
	if handed[0].W != 1 || &handed[0] != &old[0] {
		t.Fatalf("the value Get handed out changed: %+v", handed)
	}
	now, _ := p.Get("i", "IconPixmap")
	if v := now.Value().([]px); v[0].W != 2 || len(v[0].Pix) != 4 {
		t.Fatalf("new value %+v", v)
	}
}
