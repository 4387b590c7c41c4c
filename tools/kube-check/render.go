package main

import (
	"errors"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// The kinds deploy/ may hold; any other apiVersion/kind is refused as unknown.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		appsv1.AddToScheme, corev1.AddToScheme, batchv1.AddToScheme, autoscalingv2.AddToScheme, policyv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

// Strict: unknown and duplicated fields are errors, not silently dropped.
var decoder = serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()

// render runs kustomize over dir as `kubectl kustomize --load-restrictor=LoadRestrictionsNone`
// does (the Router component reads router.yaml from the repository's root) and decodes each object.
func render(dir string) ([]runtime.Object, error) {
	options := krusty.MakeDefaultOptions()
	options.LoadRestrictions = types.LoadRestrictionsNone
	resources, err := krusty.MakeKustomizer(options).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	var objects []runtime.Object
	var problems []error
	for _, resource := range resources.Resources() {
		yaml, err := resource.AsYAML()
		if err != nil {
			return nil, err
		}
		object, _, err := decoder.Decode(yaml, nil, nil)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s %s: %w", resource.GetKind(), resource.GetName(), err))
			continue
		}
		objects = append(objects, object)
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return objects, nil
}
